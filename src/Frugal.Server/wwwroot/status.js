// Reads the memory figures of GET /status (the server's ServerStatus record): "memory_pressure"
// ("low", "medium", "high", "critical"), "emergency_mode" (true when new replies are refused),
// "memory_restrictions" (short names such as "reply_tokens_cap=128") and "queue_depth".

const SHORTENED = new Set(["high"]);

/**
 * @param {any} status the JSON of GET /status
 * @returns {{level?: string, emergency: boolean, reason?: string, queueDepth?: number,
 *   banner?: string, summary?: string}}
 */
export function describeStatus(status) {
  if (!status || typeof status !== "object") return { emergency: false };
  const level = typeof status.memory_pressure === "string" && status.memory_pressure ? status.memory_pressure : undefined;
  const restrictions = Array.isArray(status.memory_restrictions) ? status.memory_restrictions.filter((r) => typeof r === "string") : [];
  const reason = restrictions.map(describeRestriction).join("; ") || undefined;
  const queueDepth = typeof status.queue_depth === "number" ? status.queue_depth : undefined;

  const emergency = status.emergency_mode === true || restrictions.includes("new_generations_refused");
  let banner;
  if (emergency) {
    banner = `The server is out of memory${level ? ` (pressure ${level})` : ""}: new replies are refused for now.`;
  } else if (SHORTENED.has(level) || restrictions.some((r) => r.startsWith("reply_tokens_cap"))) {
    banner = `The server is short of memory${level ? ` (pressure ${level})` : ""}: replies are shortened.`;
  }
  if (banner && reason) banner += ` ${capitalize(reason)}.`;

  const parts = [];
  if (level) parts.push(`Memory: ${level}${emergency ? " (emergency)" : ""}`);
  if (queueDepth !== undefined) parts.push(`queue ${queueDepth}`);
  return { level, emergency, reason, queueDepth, banner, summary: parts.join(" · ") || undefined };
}

/** Words for one of the server's restriction names; unknown ones are shown as they are. */
export function describeRestriction(restriction) {
  const [name, value] = restriction.split("=", 2);
  switch (name) {
    case "new_generations_refused": return "new replies refused";
    case "reply_tokens_cap": return `replies capped at ${value} tokens`;
    case "history_exchanges": return `history trimmed to the last ${value} exchanges`;
    case "queue_depth_factor": return `queue shortened to ${Math.round(Number(value) * 100)}% of its usual length`;
    default: return restriction.replaceAll("_", " ");
  }
}

/** A short tooltip with the memory figures the server gave (bytes shown as MiB). */
export function memoryDetails(status) {
  const memory = status?.memory;
  if (!memory || typeof memory !== "object") return "";
  const mib = (v) => (typeof v === "number" ? `${Math.round(v / 1048576)} MiB` : undefined);
  const rows = [
    ["limit", mib(memory.limit_bytes)],
    ["used", mib(memory.used_bytes)],
    ["available", mib(memory.available_bytes)],
    ["process", mib(memory.process_rss_bytes)],
  ].filter(([, v]) => v);
  return rows.map(([k, v]) => `${k} ${v}`).join(", ");
}

function capitalize(words) {
  return words.charAt(0).toUpperCase() + words.slice(1);
}
