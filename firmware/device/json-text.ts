// JSON for the discovery payloads, written as a byte string (one char a byte) so a unit's UTF-8 bytes
// reach the broker as they are. Espruino's JSON.stringify writes every char from 0x80 up as \u00XX, which
// would turn "°C" (bytes C2 B0 43) into "Â°C" for Home Assistant; V8's writes UTF-16 chars the device would
// then have to encode again. Start-up only: it allocates.

// A string that needs no escape (the usual case: names, topics, ASCII units) is quoted as it is.
const PLAIN = /^[^"\\\x00-\x1f]*$/;

function quote(s: string): string {
  if (PLAIN.test(s)) return "\"" + s + "\"";
  let out = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += "\\\"";
    else if (c === 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += s.charAt(i);
  }
  return out + "\"";
}

/**
 * jsonText(v) -> v as JSON: objects in key order, strings with '"', '\' and control chars escaped and
 * every other char as it is (byte strings stay bytes), numbers as String(n) (non-finite as null).
 */
export function jsonText(v: unknown): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "number") return isFinite(v) ? String(v) : "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v === null || typeof v !== "object") return "null";
  const parts: string[] = [];
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) parts.push(jsonText(v[i]));
    return "[" + parts.join(",") + "]";
  }
  const o = v as Record<string, unknown>;
  for (const k in o) {
    if (Object.prototype.hasOwnProperty.call(o, k) && o[k] !== undefined) parts.push(quote(k) + ":" + jsonText(o[k]));
  }
  return "{" + parts.join(",") + "}";
}
