// The message list: renders history and streams a reply into it.
import { renderMarkdown } from "./markdown.js";
import { describeFinish } from "./reply.js";

const list = () => document.getElementById("messages");

/** Removes every message from the list. */
export function clearMessages() {
  list().replaceChildren();
}

/**
 * Shows a stored message (from GET /api/sessions/{id}/messages).
 * @param {any} message
 */
export function showStoredMessage(message) {
  const view = new MessageView(message.role === "user" ? "user" : "assistant");
  view.setText(String(message.content ?? ""));
  view.item.dataset.id = String(message.id);
  if (view.role === "assistant") {
    view.finish({ finishReason: message.finish_reason ?? undefined, tokens: message.token_count });
  }
  return view;
}

/** One message in the list; an assistant reply can be streamed into it. */
export class MessageView {
  #text = "";
  #frame = 0;

  /** @param {"user" | "assistant"} role */
  constructor(role) {
    this.role = role;
    this.item = document.createElement("li");
    this.item.className = `message ${role}`;
    const who = document.createElement("p");
    who.className = "who";
    who.textContent = role === "user" ? "You" : "Assistant";
    this.body = document.createElement("div");
    this.body.className = "body markdown";
    this.meta = document.createElement("p");
    this.meta.className = "meta";
    this.item.append(who, this.body, this.meta);
    const stick = nearBottom();
    list().append(this.item);
    if (stick) scrollToBottom();
  }

  get text() {
    return this.#text;
  }

  /** Marks the reply as being written; assistive technology reads it once it is complete. */
  begin() {
    this.item.setAttribute("aria-busy", "true");
    this.item.classList.add("streaming");
    this.setNote("Waiting for the model…");
  }

  /** @param {number} position */
  queued(position) {
    this.setNote(position > 0 ? `Waiting in the queue: position ${position}` : "Starting…");
  }

  /** Replaces the text at once. */
  setText(text) {
    this.#text = text;
    this.#render();
  }

  /** Appends streamed text; rendering is batched to one pass per animation frame. */
  append(text) {
    if (!this.#text) this.setNote("");
    this.#text += text;
    if (!this.#frame) {
      this.#frame = requestAnimationFrame(() => {
        this.#frame = 0;
        this.#render();
      });
    }
  }

  setNote(note) {
    this.item.querySelector(".note")?.remove();
    if (!note) return;
    const p = document.createElement("p");
    p.className = "note";
    p.textContent = note;
    this.item.insertBefore(p, this.meta);
  }

  /**
   * Ends the reply and shows its figures.
   * @param {{finishReason?: string, tokens?: number, ttftMs?: number, tokensPerSecond?: number,
   *   error?: string, omitted?: number, restricted?: string[], cached?: boolean, reused?: number}} info
   */
  finish(info) {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#render();
    this.item.removeAttribute("aria-busy");
    this.item.classList.remove("streaming");
    this.setNote("");
    const parts = [];
    const finish = info.error ? { kind: "failed", words: "failed" } : describeFinish(info.finishReason);
    if (finish.kind) this.item.dataset.finish = finish.kind;
    if (finish.words) parts.push(finish.words);
    if (info.tokens !== undefined) parts.push(`${info.tokens} token${info.tokens === 1 ? "" : "s"}`);
    if (info.ttftMs !== undefined) parts.push(`first token ${formatSeconds(info.ttftMs)}`);
    // A reply from the response cache was not decoded: its speed would say nothing.
    if (info.tokensPerSecond !== undefined && !info.cached) parts.push(`${info.tokensPerSecond.toFixed(1)} tokens/s`);
    // How the reply was made cheaply: from the response cache, or on top of the conversation kept from the last turn.
    if (info.cached) parts.push("from the response cache");
    else if (info.reused > 0) parts.push(`${info.reused} prompt token${info.reused === 1 ? "" : "s"} reused`);
    for (const cut of info.restricted ?? []) parts.push(cut);
    if (info.omitted) parts.push(`${info.omitted} earlier message${info.omitted === 1 ? "" : "s"} left out to fit the context`);
    this.meta.textContent = parts.join(" · ");
    if (info.error) {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = info.error;
      this.item.insertBefore(p, this.meta);
    }
  }

  #render() {
    const stick = nearBottom();
    this.body.replaceChildren(renderMarkdown(this.#text));
    if (stick) scrollToBottom();
  }
}

function formatSeconds(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function nearBottom() {
  const el = list();
  return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
}

function scrollToBottom() {
  const el = list();
  el.scrollTop = el.scrollHeight;
}
