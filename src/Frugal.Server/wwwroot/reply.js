// Turns the items of a reply stream (POST /api/sessions/{id}/messages with stream: true) into what
// the page shows. It reads the documented contract (the server's ReplyEvent): SSE comments
// ": queued N" while the turn waits, then data events {"type": "start" | "delta" | "done" | "error", ...}.

/**
 * @typedef {{type: "queue", position: number}
 *   | {type: "delta", text: string}
 *   | {type: "done", finishReason?: string, usage?: object, ttftMs?: number, tokensPerSecond?: number,
 *      messageId?: string, omitted?: number, restricted?: string[], cached?: boolean}
 *   | {type: "error", message: string, code?: string}
 *   | {type: "info", omitted?: number, restricted?: string[]}
 *   | {type: "start", userMessageId: string}
 *   | {type: "ignore"}} ReplyStep
 */

/** @returns {ReplyStep[]} */
export function interpret(item) {
  if (item.kind === "comment") {
    const match = /^queued (\d+)$/.exec(item.text);
    return match ? [{ type: "queue", position: Number(match[1]) }] : [{ type: "ignore" }];
  }
  let event;
  try {
    event = JSON.parse(item.data);
  } catch {
    return [{ type: "ignore" }];
  }
  if (event === null || typeof event !== "object") return [{ type: "ignore" }];
  const restricted = Array.isArray(event.restricted) && event.restricted.length ? event.restricted : undefined;
  switch (event.type) {
    case "start":
      return [
        { type: "start", userMessageId: String(event.user_message?.id) },
        { type: "info", omitted: event.omitted_messages, restricted },
      ];
    case "delta":
      return event.content ? [{ type: "delta", text: event.content }] : [{ type: "ignore" }];
    case "done":
      return [{
        type: "done",
        finishReason: event.finish_reason,
        usage: event.usage,
        ttftMs: event.ttft_ms,
        tokensPerSecond: event.tokens_per_second,
        messageId: event.message?.id === undefined ? undefined : String(event.message.id),
        omitted: event.omitted_messages,
        restricted,
        // Answered from the response cache (an identical deterministic request was answered before).
        cached: event.cached === true ? true : undefined,
      }];
    case "error":
      return [{ type: "error", message: String(event.error?.message ?? "The reply failed."), code: event.error?.code }];
    default:
      return [{ type: "ignore" }];
  }
}

// The server's finish reasons (stop, length, cancelled, error) and the page's own "stopped" (the user's Stop).
const FINISH = {
  "": ["", ""], stop: ["", ""],
  length: ["length", "cut short (length limit)"],
  cancelled: ["stopped", "stopped"], stopped: ["stopped", "stopped"],
  error: ["failed", "failed"],
};

/**
 * How a reply ended, as a short kind ("", "length", "stopped", "failed" or the server's
 * own word) and as words to show ("" when it simply ended).
 * @returns {{kind: string, words: string}}
 */
export function describeFinish(reason) {
  const key = String(reason ?? "").toLowerCase();
  const known = Object.hasOwn(FINISH, key) ? FINISH[key] : undefined;
  return known ? { kind: known[0], words: known[1] } : { kind: key, words: key.replaceAll("_", " ") };
}
