// Reads the memory figures of GET /status: "memory_pressure" ("low", "medium", "high", "critical"),
// "emergency_mode" (true when new replies are refused) and "memory_restrictions" (short names such
// as "reply_tokens_cap=128"). Any of them may be absent (an older server, or a probe that cannot
// read the box): what is absent is simply not shown. An object form ({level, reason}) is read too.

const SHORTENED = new Set(["high"]);
const REFUSED = new Set(["critical", "emergency"]);

/**
 * @param {any} status the JSON of GET /status
 * @returns {{level?: string, emergency: boolean, reason?: string, queueDepth?: number,
 *   banner?: string, summary?: string}}
 */
export function describeStatus(status) {
  if (!status || typeof status !== "object") return { emergency: false };
  const pressure = status.memory_pressure ?? status.memory?.pressure;
  const emergencyField = status.emergency_mode ?? status.memory?.emergency_mode;
  const level = text(typeof pressure === "object" && pressure !== null ? pressure.level ?? pressure.name : pressure);
  const emergency = emergencyField === true
    || (typeof emergencyField === "object" && emergencyField !== null && (emergencyField.active === true || emergencyField.enabled === true));
  const restrictions = Array.isArray(status.memory_restrictions) ? status.memory_restrictions.filter((r) => typeof r === "string") : [];
  const reason = text(
    typeof pressure === "object" && pressure !== null ? pressure.reason ?? pressure.message : undefined,
    typeof emergencyField === "object" && emergencyField !== null ? emergencyField.reason ?? emergencyField.message : undefined,
    status.emergency_reason, status.memory_reason, status.pressure_reason, status.memory?.reason,
    restrictions.map(describeRestriction).join("; "));
  const queueDepth = typeof status.queue_depth === "number" ? status.queue_depth : undefined;

  const normalized = level?.toLowerCase();
  const refused = emergency || REFUSED.has(normalized) || restrictions.includes("new_generations_refused");
  let banner;
  if (refused) {
    banner = `The server is out of memory${level ? ` (pressure ${level})` : ""}: new replies are refused for now.`;
  } else if (SHORTENED.has(normalized) || restrictions.some((r) => r.startsWith("reply_tokens_cap"))) {
    banner = `The server is short of memory${level ? ` (pressure ${level})` : ""}: replies are shortened.`;
  }
  if (banner && reason) banner += ` ${capitalize(reason)}.`;

  const parts = [];
  if (level) parts.push(`Memory: ${level}${emergency ? " (emergency)" : ""}`);
  else if (emergency) parts.push("Memory: emergency");
  if (queueDepth !== undefined) parts.push(`queue ${queueDepth}`);
  return { level, emergency: refused, reason, queueDepth, banner, summary: parts.join(" · ") || undefined };
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
    ["limit", mib(memory.limit_bytes ?? memory.limit)],
    ["used", mib(memory.used_bytes ?? memory.used)],
    ["available", mib(memory.available_bytes ?? memory.available)],
    ["process", mib(memory.process_rss_bytes ?? memory.process_rss ?? memory.rss_bytes)],
  ].filter(([, v]) => v);
  return rows.map(([k, v]) => `${k} ${v}`).join(", ");
}

function capitalize(words) {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function text(...values) {
  const found = values.find((v) => typeof v === "string" && v.trim().length > 0);
  return found?.trim();
}
