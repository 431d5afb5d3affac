// Reads the memory figures of GET /status. The server may report pressure as a plain level
// ("normal", "elevated", "high", "critical") or as an object with a level and a reason, and an
// emergency mode as a flag or an object; absent fields are simply not shown.

const SHORTENED = new Set(["high", "severe", "elevated_high"]);
const REFUSED = new Set(["critical", "emergency", "refusing", "oom"]);

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
  const reason = text(
    typeof pressure === "object" && pressure !== null ? pressure.reason ?? pressure.message : undefined,
    typeof emergencyField === "object" && emergencyField !== null ? emergencyField.reason ?? emergencyField.message : undefined,
    status.emergency_reason, status.memory_reason, status.pressure_reason, status.memory?.reason);
  const queueDepth = typeof status.queue_depth === "number" ? status.queue_depth : undefined;

  const normalized = level?.toLowerCase();
  let banner;
  if (emergency || REFUSED.has(normalized)) {
    banner = `The server is very short of memory${level ? ` (${level})` : ""}: new replies may be refused or cut short.`;
  } else if (SHORTENED.has(normalized)) {
    banner = `The server is short of memory (${level}): replies are shortened.`;
  }
  if (banner && reason) banner += ` Reason: ${reason}`;

  const parts = [];
  if (level) parts.push(`Memory: ${level}${emergency ? " (emergency)" : ""}`);
  else if (emergency) parts.push("Memory: emergency");
  if (queueDepth !== undefined) parts.push(`queue ${queueDepth}`);
  return { level, emergency, reason, queueDepth, banner, summary: parts.join(" · ") || undefined };
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

function text(...values) {
  const found = values.find((v) => typeof v === "string" && v.trim().length > 0);
  return found?.trim();
}
