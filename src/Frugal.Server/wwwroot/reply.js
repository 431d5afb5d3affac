// Turns the items of a reply stream (POST /api/sessions/{id}/messages with stream: true) into what
// the page shows. Field names are read tolerantly so the page keeps working if the server adds or
// renames optional figures; the text deltas and the final event are the contract.

/**
 * @typedef {{type: "queue", position: number}
 *   | {type: "delta", text: string}
 *   | {type: "done", finishReason?: string, usage?: object, ttftMs?: number, tokensPerSecond?: number,
 *      messageId?: string, omitted?: number, restricted?: string[], cached?: boolean}
 *   | {type: "error", message: string, code?: string}
 *   | {type: "info", omitted?: number, messageId?: string, restricted?: string[]}
 *   | {type: "start", userMessageId: string}
 *   | {type: "end"} | {type: "ignore"}} ReplyStep
 */

/** @returns {ReplyStep[]} */
export function interpret(item) {
  if (item.kind === "comment") {
    const match = /queue\D*?(\d+)/i.exec(item.text);
    return match ? [{ type: "queue", position: Number(match[1]) }] : [{ type: "ignore" }];
  }
  if (item.data.trim() === "[DONE]") return [{ type: "end" }];
  let payload;
  try {
    payload = JSON.parse(item.data);
  } catch {
    return [{ type: "ignore" }];
  }
  if (payload === null || typeof payload !== "object") return [{ type: "ignore" }];
  if (payload.error) {
    const error = payload.error;
    return [{ type: "error", message: typeof error === "string" ? error : String(error.message ?? "The reply failed."), code: error.code }];
  }

  const steps = [];
  if (payload.type === "start" && payload.user_message?.id !== undefined) {
    steps.push({ type: "start", userMessageId: String(payload.user_message.id) });
  }
  const position = firstNumber(payload.queue_position, payload.position);
  if (position !== undefined && (item.event === "queue" || payload.type === "queue" || payload.queue_position !== undefined)) {
    steps.push({ type: "queue", position });
  }
  const choice = Array.isArray(payload.choices) ? payload.choices[0] : undefined;
  const text = firstString(choice?.delta?.content, payload.delta?.content,
    typeof payload.delta === "string" ? payload.delta : undefined,
    payload.type === "delta" || payload.type === "token" || item.event === "delta" || item.event === "token" ? payload.content ?? payload.text ?? payload.token : undefined);
  if (text) steps.push({ type: "delta", text });

  const finishReason = firstString(choice?.finish_reason, payload.finish_reason, payload.message?.finish_reason);
  const omitted = firstNumber(payload.omitted_messages, payload.messages_omitted, payload.left_out,
    payload.history?.omitted_messages, payload.history?.omitted);
  const messageId = firstString(payload.message_id, payload.assistant_message_id, payload.message?.id);
  // What memory pressure cut from this turn, as the server's own sentences ("max_tokens capped at …").
  const restricted = Array.isArray(payload.restricted) ? payload.restricted.filter((r) => typeof r === "string" && r) : [];
  if (finishReason || payload.type === "done" || item.event === "done") {
    steps.push({
      type: "done",
      finishReason,
      usage: payload.usage ?? payload.message?.usage,
      ttftMs: readTtftMs(payload),
      tokensPerSecond: firstNumber(payload.tokens_per_second, payload.decode_tokens_per_second,
        payload.stats?.tokens_per_second, payload.stats?.decode_tokens_per_second, payload.timings?.tokens_per_second),
      messageId,
      omitted,
      restricted: restricted.length ? restricted : undefined,
      // Answered from the response cache (an identical deterministic request was answered before).
      cached: payload.cached === true || payload.frugal?.cached === true ? true : undefined,
    });
  } else if (omitted !== undefined || messageId || restricted.length) {
    steps.push({ type: "info", omitted, messageId, restricted: restricted.length ? restricted : undefined });
  }
  return steps.length ? steps : [{ type: "ignore" }];
}

function readTtftMs(p) {
  const ms = firstNumber(p.ttft_ms, p.time_to_first_token_ms, p.stats?.ttft_ms, p.stats?.time_to_first_token_ms, p.timings?.ttft_ms);
  if (ms !== undefined) return ms;
  const seconds = firstNumber(p.ttft_seconds, p.time_to_first_token_seconds, p.ttft, p.time_to_first_token,
    p.stats?.ttft_seconds, p.stats?.time_to_first_token_seconds);
  return seconds === undefined ? undefined : seconds * 1000;
}

function firstNumber(...values) {
  return values.find((v) => typeof v === "number" && Number.isFinite(v));
}

function firstString(...values) {
  return values.find((v) => typeof v === "string" && v.length > 0);
}

const FINISH = {
  "": ["", ""], stop: ["", ""], eos: ["", ""], end_of_turn: ["", ""],
  length: ["length", "cut short (length limit)"], max_tokens: ["length", "cut short (length limit)"],
  cancelled: ["stopped", "stopped"], canceled: ["stopped", "stopped"], stopped: ["stopped", "stopped"],
  aborted: ["stopped", "stopped"], cancel: ["stopped", "stopped"],
  timeout: ["timeout", "stopped (time limit)"],
  error: ["failed", "failed"], failed: ["failed", "failed"],
};

/**
 * How a reply ended, as a short kind ("", "length", "stopped", "timeout", "failed" or the server's
 * own word) and as words to show ("" when it simply ended).
 * @returns {{kind: string, words: string}}
 */
export function describeFinish(reason) {
  const key = String(reason ?? "").toLowerCase();
  const known = Object.hasOwn(FINISH, key) ? FINISH[key] : undefined;
  return known ? { kind: known[0], words: known[1] } : { kind: key, words: key.replaceAll("_", " ") };
}
