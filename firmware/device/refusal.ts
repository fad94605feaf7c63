// Why a command was refused, and the JSON the device publishes on its error topic about it:
// {"topic":"<topic>","reason":"<reason>","payload":"<payload>"}, or "length":<n> instead of the payload
// when it was too long to be read. Written into a fixed buffer; nothing is allocated.
import { writeAscii, writeInt, writeJsonString } from "./format";

export const REFUSED_UNKNOWN_RELAY = 1;
export const REFUSED_TOO_LONG = 2;
export const REFUSED_RETAINED = 3;
export const REFUSED_UNKNOWN_PAYLOAD = 4;
/** A topic under the console's command topic that names no command. */
export const REFUSED_UNKNOWN_COMMAND = 5;
/** A number out of its range: a PULSE length, a telemetry period. */
export const REFUSED_BAD_VALUE = 6;

/** The text of each reason code, as it appears in the error JSON (index: the code). */
export const REFUSAL_REASONS = [
  "", "unknown relay", "payload too long", "retained command", "unknown payload", "unknown command", "bad value",
];

/**
 * The smallest buffer formatRefusal can use: the fixed text, the longest reason, a length, and a few
 * characters of topic and payload (longer ones are cut to fit).
 */
export const REFUSAL_MIN_BYTES = 96;

/**
 * formatRefusal(out, reason, topic, tOff, tLen, payload, pOff, pLen, maxPayload) -> bytes written at
 * out[0]. The payload is quoted when pLen <= maxPayload, else only its length is given.
 */
export function formatRefusal(
  out: Uint8Array, reason: number, topic: Uint8Array, tOff: number, tLen: number,
  payload: Uint8Array, pOff: number, pLen: number, maxPayload: number,
): number {
  const cap = out.length;
  // Kept for what follows the topic: the reason, the length or the payload's quotes, and the braces.
  const tail = 64;
  let o = writeAscii(out, 0, "{\"topic\":");
  o = writeJsonString(out, o, cap - tail, topic, tOff, tLen);
  o = writeAscii(out, o, ",\"reason\":\"");
  o = writeAscii(out, o, REFUSAL_REASONS[reason]);
  if (pLen > maxPayload) {
    o = writeAscii(out, o, "\",\"length\":");
    o = writeInt(out, o, pLen);
  } else {
    o = writeAscii(out, o, "\",\"payload\":");
    o = writeJsonString(out, o, cap - 1, payload, pOff, pLen);
  }
  out[o++] = 0x7d;
  return o;
}
