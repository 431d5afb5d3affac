// The page's view of Frugal's HTTP API (/api/sessions, /status). Every call sends the API key as a
// bearer token; errors come back as ApiError with the server's own message when it gave one.
import { readSse } from "./sse.js";

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, or 0 when the server could not be reached
   * @param {string} message
   * @param {{code?: string, type?: string, retryAfter?: number}} [details]
   */
  constructor(status, message, details = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = details.code;
    this.type = details.type;
    this.retryAfter = details.retryAfter;
  }
}

export class Api {
  #key;

  /** @param {string} key */
  constructor(key) {
    this.#key = key;
  }

  /** Every session, a page (100) at a time, most recently updated first (at most 20 pages). */
  async listSessions() {
    const sessions = [];
    let after = "";
    for (let page = 0; page < 20; page++) {
      const query = after ? `?limit=100&after=${encodeURIComponent(after)}` : "?limit=100";
      const body = await this.#json("GET", `/api/sessions${query}`);
      sessions.push(...listOf(body));
      if (!body.has_more || !body.last_id) break;
      after = body.last_id;
    }
    return sessions;
  }

  /** @param {{title?: string, system_prompt?: string, settings?: object}} [options] */
  createSession(options = {}) {
    return this.#json("POST", "/api/sessions", options);
  }

  /** The whole session: its system prompt and settings too. */
  getSession(id) {
    return this.#json("GET", `/api/sessions/${encodeURIComponent(id)}`);
  }

  renameSession(id, title) {
    return this.#json("PATCH", `/api/sessions/${encodeURIComponent(id)}`, { title });
  }

  /** Changes only the fields given: {title?, system_prompt?, settings?}. */
  updateSession(id, changes) {
    return this.#json("PATCH", `/api/sessions/${encodeURIComponent(id)}`, changes);
  }

  /** Shows another version of a message; answers the new branch (the message list). */
  selectVersion(id, messageId) {
    return this.#json("POST", `/api/sessions/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/select`, {})
      .then((body) => listOf(body));
  }

  /**
   * The session as a file's text: "json" (every version, for import) or "markdown" (the branch shown).
   * @returns {Promise<string>}
   */
  async exportSession(id, format) {
    const response = await this.#fetch("GET", `/api/sessions/${encodeURIComponent(id)}/export?format=${format}`, undefined, undefined,
      format === "json" ? "application/json" : "text/markdown");
    return response.text();
  }

  /** Stores an export (its JSON text, sent as is: the server checks it) as a new session. */
  async importSession(text) {
    const response = await this.#fetch("POST", "/api/sessions/import", undefined, undefined, "application/json", text);
    return response.json();
  }

  deleteSession(id) {
    return this.#json("DELETE", `/api/sessions/${encodeURIComponent(id)}`);
  }

  listMessages(id) {
    return this.#json("GET", `/api/sessions/${encodeURIComponent(id)}/messages`).then((body) => listOf(body));
  }

  status() {
    return this.#json("GET", "/status");
  }

  /**
   * Sends a message and streams the reply.
   * @param {string} id session id
   * @param {{content: string, max_tokens?: number, temperature?: number}} body
   * @param {AbortSignal} signal aborting it closes the connection, which cancels the generation
   * @returns {AsyncGenerator<{kind: "comment", text: string} | {kind: "event", event: string, data: string}>}
   */
  async *sendMessage(id, body, signal) {
    yield* this.#stream(`/api/sessions/${encodeURIComponent(id)}/messages`, body, signal);
  }

  /**
   * Answers a message again (a new version of the reply messageId, or a reply to the user's message messageId); streams like sendMessage.
   * @param {string} id session id
   * @param {string} messageId
   * @param {object} body sampling settings
   * @param {AbortSignal} signal
   */
  async *regenerate(id, messageId, body, signal) {
    yield* this.#stream(`/api/sessions/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/regenerate`, body, signal);
  }

  async *#stream(path, body, signal) {
    const response = await this.#fetch("POST", path, { ...body, stream: true }, signal, "text/event-stream");
    if (!response.body) throw new ApiError(response.status, "The server sent no reply body.");
    yield* readSse(response.body);
  }

  async #json(method, path, body) {
    const response = await this.#fetch(method, path, body, undefined, "application/json");
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError(response.status, "The server sent a reply that is not JSON.");
    }
  }

  async #fetch(method, path, body, signal, accept, rawBody) {
    const headers = { Authorization: `Bearer ${this.#key}`, Accept: accept };
    if (body !== undefined || rawBody !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
        signal,
        cache: "no-store",
      });
    } catch (error) {
      if (error?.name === "AbortError") throw error;
      throw new ApiError(0, "Cannot reach the server. Is it still running?");
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }
}

async function errorFrom(response) {
  let message = "";
  let details = {};
  try {
    const body = await response.json();
    const error = body?.error ?? body;
    if (typeof error === "string") message = error;
    else if (error && typeof error.message === "string") {
      message = error.message;
      details = { code: error.code ?? undefined, type: error.type ?? undefined };
    }
  } catch {
    // Not JSON: fall back to the status text below.
  }
  const retry = Number(response.headers.get("Retry-After"));
  if (Number.isFinite(retry) && retry > 0) details.retryAfter = retry;
  if (!message) message = defaultMessage(response.status, response.statusText);
  return new ApiError(response.status, message, details);
}

function defaultMessage(status, statusText) {
  switch (status) {
    case 401: return "The API key was not accepted.";
    case 404: return "Not found.";
    case 413: return "The message is too large.";
    case 429:
    case 503: return "The server is busy. Try again shortly.";
    default: return `The server answered ${status} ${statusText}`.trim();
  }
}

// A list answer is {"object": "list", "data": [...]}.
function listOf(body) {
  return Array.isArray(body?.data) ? body.data : [];
}
