import {
  OK, E_TOPIC_EMPTY, E_TOPIC_WILDCARD, E_FILTER_HASH, E_FILTER_PLUS, E_UTF8_NULL, E_STRING_TOO_LONG,
} from "./errors";
import { validateUtf8 } from "./utf8";

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;

// Bytes that need a closer look in a topic name: wildcards, U+0000 and every non-ASCII byte. Topic names
// are checked on every PUBLISH both ways, so the common all-ASCII case is one table lookup a byte.
const SPECIAL = new Uint8Array(256);
SPECIAL[0] = 1;
SPECIAL[PLUS] = 1;
SPECIAL[HASH] = 1;
for (let i = 0x80; i < 256; i++) SPECIAL[i] = 1;

/**
 * validateTopicName(buf, off, len) -> OK or an error code: empty, over 65,535 bytes, a wildcard, U+0000 or
 * ill-formed UTF-8. A topic name is what PUBLISH carries and what a will is sent to.
 */
export function validateTopicName(buf: Uint8Array, off: number, len: number): number {
  if (len === 0) return E_TOPIC_EMPTY;
  if (len > 0xffff) return E_STRING_TOO_LONG;
  const end = off + len;
  const end8 = end - 7;
  let s = off;
  let acc = 0;
  while (s < end8) {
    acc |= SPECIAL[buf[s]] | SPECIAL[buf[s + 1]] | SPECIAL[buf[s + 2]] | SPECIAL[buf[s + 3]] |
      SPECIAL[buf[s + 4]] | SPECIAL[buf[s + 5]] | SPECIAL[buf[s + 6]] | SPECIAL[buf[s + 7]];
    s += 8;
  }
  while (s < end) acc |= SPECIAL[buf[s++]];
  return acc === 0 ? OK : topicNameDetail(buf, off, end);
}

/**
 * copyTopicName(dst, dOff, src, sOff, len) -> OK or validateTopicName's error; copies the topic while it
 * checks it, so an encoder reads each byte once. On an error dst may hold some of the bytes.
 */
export function copyTopicName(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number): number {
  if (len === 0) return E_TOPIC_EMPTY;
  if (len > 0xffff) return E_STRING_TOO_LONG;
  const off = sOff;
  const end = sOff + len;
  const end8 = end - 7;
  let acc = 0;
  while (sOff < end8) {
    const b0 = src[sOff], b1 = src[sOff + 1], b2 = src[sOff + 2], b3 = src[sOff + 3];
    const b4 = src[sOff + 4], b5 = src[sOff + 5], b6 = src[sOff + 6], b7 = src[sOff + 7];
    dst[dOff] = b0; dst[dOff + 1] = b1; dst[dOff + 2] = b2; dst[dOff + 3] = b3;
    dst[dOff + 4] = b4; dst[dOff + 5] = b5; dst[dOff + 6] = b6; dst[dOff + 7] = b7;
    acc |= SPECIAL[b0] | SPECIAL[b1] | SPECIAL[b2] | SPECIAL[b3] | SPECIAL[b4] | SPECIAL[b5] | SPECIAL[b6] | SPECIAL[b7];
    dOff += 8;
    sOff += 8;
  }
  while (sOff < end) {
    const b = src[sOff++];
    dst[dOff++] = b;
    acc |= SPECIAL[b];
  }
  return acc === 0 ? OK : topicNameDetail(src, off, end);
}

// The slow path once a special byte was seen: which rule, if any, the topic name breaks.
function topicNameDetail(buf: Uint8Array, off: number, end: number): number {
  let high = false;
  for (let i = off; i < end; i++) {
    const b = buf[i];
    if (b === PLUS || b === HASH) return E_TOPIC_WILDCARD;
    if (b === 0) return E_UTF8_NULL;
    if (b >= 0x80) high = true;
  }
  return high ? validateUtf8(buf, off, end - off) : OK;
}

/**
 * validateTopicFilter(buf, off, len) -> OK or an error code: empty, over 65,535 bytes, '#' not last or not
 * alone in its level, '+' sharing its level, U+0000 or ill-formed UTF-8.
 */
export function validateTopicFilter(buf: Uint8Array, off: number, len: number): number {
  if (len === 0) return E_TOPIC_EMPTY;
  if (len > 0xffff) return E_STRING_TOO_LONG;
  const end = off + len;
  let high = false;
  for (let i = off; i < end; i++) {
    const b = buf[i];
    if (b === HASH) {
      if (i !== end - 1 || (i > off && buf[i - 1] !== SLASH)) return E_FILTER_HASH;
    } else if (b === PLUS) {
      if ((i > off && buf[i - 1] !== SLASH) || (i < end - 1 && buf[i + 1] !== SLASH)) return E_FILTER_PLUS;
    } else if (b === 0) return E_UTF8_NULL;
    else if (b >= 0x80) high = true;
  }
  return high ? validateUtf8(buf, off, len) : OK;
}

/**
 * topicMatches(topic, tOff, tLen, filter, fOff, fLen) -> whether a valid topic name matches a valid
 * filter, byte by byte: '+' is one level, '#' the rest (and the parent level), and a filter that starts
 * with a wildcard does not match a topic starting with '$' [MQTT-4.7.2-1].
 */
export function topicMatches(
  topic: Uint8Array, tOff: number, tLen: number, filter: Uint8Array, fOff: number, fLen: number,
): boolean {
  if (tLen > 0 && topic[tOff] === DOLLAR && fLen > 0 && (filter[fOff] === PLUS || filter[fOff] === HASH)) {
    return false;
  }
  const tEnd = tOff + tLen;
  const fEnd = fOff + fLen;
  let t = tOff;
  let f = fOff;
  while (f < fEnd) {
    const c = filter[f];
    if (c === HASH) return true;
    if (c === PLUS) {
      while (t < tEnd && topic[t] !== SLASH) t++;
      f++;
      continue;
    }
    if (t >= tEnd) {
      // "a/#" also matches "a": the topic ended exactly where "/#" begins.
      return c === SLASH && f + 2 === fEnd && filter[f + 1] === HASH;
    }
    if (topic[t] !== c) return false;
    t++;
    f++;
  }
  return t === tEnd;
}
