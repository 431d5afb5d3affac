// The reply options of the chat shown: the form's inputs as the sessions API's settings and back.

/** The inputs, by id, and the settings field each one holds. */
const FIELDS = [
  ["max-tokens", "max_tokens", Number.parseInt],
  ["temperature", "temperature", Number.parseFloat],
  ["top-p", "top_p", Number.parseFloat],
  ["top-k", "top_k", Number.parseInt],
  ["seed", "seed", Number.parseInt],
];

export const SETTING_INPUTS = FIELDS.map(([id]) => id);

/**
 * The options as settings: an empty or unreadable box is null (the server's default); the server checks the ranges.
 * @returns {{max_tokens: number|null, temperature: number|null, top_p: number|null, top_k: number|null, seed: number|null}}
 */
export function readSettings() {
  const settings = {};
  for (const [id, field, parse] of FIELDS) {
    const value = parse(document.getElementById(id).value, 10);
    settings[field] = Number.isFinite(value) ? value : null;
  }
  return settings;
}

/** Shows a chat's kept settings (null fields: empty boxes). */
export function fillSettings(settings) {
  for (const [id, field] of FIELDS) {
    const value = settings?.[field];
    document.getElementById(id).value = value === null || value === undefined ? "" : String(value);
  }
}
