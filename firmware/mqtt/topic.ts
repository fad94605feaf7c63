import {
  OK, E_TOPIC_EMPTY, E_TOPIC_WILDCARD, E_FILTER_HASH, E_FILTER_PLUS, E_UTF8_NULL, E_STRING_TOO_LONG,
} from "./errors";
import { validateUtf8, utf8Bytes } from "./utf8";

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;

/**
 * validateTopicName(buf, off, len) -> OK or an error code: empty, over 65,535 bytes, a wildcard, U+0000 or
 * ill-formed UTF-8. A topic name is what PUBLISH carries and what a will is sent to.
 */
export function validateTopicName(buf: Uint8Array, off: number, len: number): number {
  // Every PUBLISH is checked both ways, so the common case is a quick screen with no table: a byte b in
  // 0x2C-0x7F (ASCII from ',' on, which leaves out '#', '+' and U+0000) keeps `b | (b - 0x2C)` within
  // 0x00-0x7F, while any byte below it turns that negative and any non-ASCII byte sets bit 7. Topics that
  // fail the screen (a space, '$', non-ASCII...) get the exact check. Two bytes a step: unrolling further
  // made the function too big for V8 to inline into the encoder and the parser, which cost more.
  const end = off + len;
  const end2 = end - 1;
  let i = off;
  let acc = 0;
  for (; i < end2; i += 2) {
    const b0 = buf[i], b1 = buf[i + 1];
    acc |= b0 | (b0 - 0x2c) | b1 | (b1 - 0x2c);
  }
  if (i < end) acc |= buf[i] | (buf[i] - 0x2c);
  // Empty and over-long names fail the exact check too.
  return (acc & ~0x7f) === 0 && len !== 0 && len <= 0xffff ? OK : topicNameError(buf, off, len);
}

function topicNameError(buf: Uint8Array, off: number, len: number): number {
  if (len === 0) return E_TOPIC_EMPTY;
  if (len > 0xffff) return E_STRING_TOO_LONG;
  return topicNameDetail(buf, off, off + len);
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
 * topicName(name) -> the UTF-8 bytes of a valid topic name, kept for good, or the error code of the rule
 * it breaks. Make every topic a client publishes to this way, once: publish() trusts its topic.
 */
export function topicName(name: string): Uint8Array | number {
  const b = utf8Bytes(name);
  const code = validateTopicName(b, 0, b.length);
  return code === OK ? b : code;
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

// Characters that mean something in a regular expression; every other byte of a filter stands for itself.
const REGEX_SPECIAL = ".^$|?*+()[]{}\\/-";

/**
 * filterMatcher(filter) -> what matches the topic names a valid filter matches, as the interpreter
 * compares fastest: the filter itself when it has no wildcard (one string compare), else one RegExp.
 * Start-up only (it allocates). Espruino's regex engine fails on `$` inside a group, on optional groups
 * and on empty alternatives (checked in the interpreter), so the pattern is a flat alternation of
 * anchored forms: a leading wildcard has one form whose first level is empty and one whose first level
 * does not start with '$' [MQTT-4.7.2-1]; a trailing "/#" has one form for the parent level itself
 * ("a/#" matches "a") and one for what lies below it.
 */
export function filterMatcher(filter: string): string | RegExp {
  if (filter.indexOf("+") < 0 && filter.indexOf("#") < 0) return filter;
  const levels = filter.split("/");
  const n = levels.length;
  const hash = levels[n - 1] === "#";
  const m = hash ? n - 1 : n;
  // The first level's forms: a leading '+' is empty, or does not start with '$' (nor '/').
  let heads = [""];
  let k = 0;
  if (m > 0 && levels[0] === "+") {
    heads = ["", "[^$\\/][^\\/]*"];
    k = 1;
  }
  let body = levelsSource(levels, k, m);
  if (k === 1 && m > 1) body = "\\/" + body;
  const forms: string[] = [];
  for (let h = 0; h < heads.length; h++) {
    const stem = heads[h] + body;
    if (!hash) forms.push("^" + stem + "$");
    else if (m === 0) forms.push("^[^$]");
    else {
      forms.push("^" + stem + "$");
      forms.push("^" + stem + "\\/");
    }
  }
  return new RegExp(forms.join("|"));
}

// The regex source for filter levels[from .. to), joined by "/": '+' is [^/]*, every other character
// stands for itself.
function levelsSource(levels: string[], from: number, to: number): string {
  let src = "";
  for (let i = from; i < to; i++) {
    const l = levels[i];
    if (i > from) src += "\\/";
    if (l === "+") src += "[^\\/]*";
    else {
      for (let k = 0; k < l.length; k++) {
        const c = l.charAt(k);
        src += REGEX_SPECIAL.indexOf(c) >= 0 ? "\\" + c : c;
      }
    }
  }
  return src;
}
