// Text written into caller-owned byte buffers, digit by digit. The device formats every payload with
// these instead of String(), toFixed, templates or concatenation, so a report allocates nothing (a
// string per message would be garbage on V8 and JsVar churn on Espruino). Each writer returns the
// offset after what it wrote; the caller sized the buffer for the worst case.
import { copyBytes, natives } from "../mqtt/bytes";
import { validateUtf8 } from "../mqtt/utf8";
import { OK } from "../mqtt/errors";

/** The most decimals writeFixed writes; more would push scaled values past exact doubles sooner. */
export const MAX_DECIMALS = 6;

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** Integers above this are not exact as doubles, so a scaled value past it drops its decimals. */
const EXACT = 9007199254740991;

/**
 * writeAscii(buf, off, s) -> end: s's chars as bytes, for constants and address texts. Through the Natives
 * seam: one native set() on Espruino (a JS loop costs it ~47,000 instructions a byte), a loop on V8.
 */
export function writeAscii(buf: Uint8Array, off: number, s: string): number {
  return natives.ascii(buf, off, s);
}

/** writeBytes(buf, off, src) -> end: all of src, a pre-encoded piece. */
export function writeBytes(buf: Uint8Array, off: number, src: Uint8Array): number {
  copyBytes(buf, off, src, 0, src.length);
  return off + src.length;
}

// n >= 0 and integral: its digits, at least minDigits of them (zero-padded on the left).
function writeDigits(buf: Uint8Array, off: number, n: number, minDigits: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  if (digits < minDigits) digits = minDigits;
  const end = off + digits;
  for (let i = end - 1; i >= off; i--) {
    const d = n % 10;
    buf[i] = 0x30 + d;
    n = (n - d) / 10;
  }
  return end;
}

// NaN and infinities have no JSON number; "null" keeps a JSON document valid.
function writeNonFinite(buf: Uint8Array, off: number): number {
  buf[off] = 0x6e; // n
  buf[off + 1] = 0x75; // u
  buf[off + 2] = 0x6c; // l
  buf[off + 3] = 0x6c; // l
  return off + 4;
}

/** Magnitudes from here on are written as "null": no sensor reads them, and buffers stay bounded. */
const LIMIT = 1e18;

// In the range the writers format (so also not NaN or infinite).
function finite(v: number): boolean {
  return v > -LIMIT && v < LIMIT;
}

/** writeInt(buf, off, n) -> end: n rounded toward zero, in decimal ("-12"); non-finite or |n| >= 1e18 as "null". */
export function writeInt(buf: Uint8Array, off: number, n: number): number {
  if (!finite(n)) return writeNonFinite(buf, off);
  if (n < 0) {
    n = Math.ceil(n);
    if (n === 0) return writeDigits(buf, off, 0, 1);
    buf[off++] = 0x2d;
    n = -n;
  } else n = Math.floor(n);
  return writeDigits(buf, off, n, 1);
}

const SCRATCH = new Float64Array(1);

/**
 * writeFixed(buf, off, v, decimals) -> end: v rounded half away from zero to `decimals` places (0-6,
 * clamped), like toFixed: "42.50", "-0.3", "7". No "-0". Non-finite or |v| >= 1e18 as "null"; past
 * 2^53 in units of the last decimal, the decimals are dropped (they would not be exact). At most 20 bytes.
 */
export function writeFixed(buf: Uint8Array, off: number, v: number, decimals: number): number {
  SCRATCH[0] = v;
  return writeFixedAt(buf, off, SCRATCH, 0, decimals);
}

/**
 * writeFixedAt(buf, off, values, i, decimals) -> writeFixed of values[i]. The hot paths call this one: a
 * fractional number passed to a call V8 does not inline is boxed in a new heap number, one read from a
 * Float64Array inside the call is not.
 */
export function writeFixedAt(buf: Uint8Array, off: number, values: Float64Array, i: number, decimals: number): number {
  const v = values[i];
  if (!finite(v)) return writeNonFinite(buf, off);
  let d = decimals < 0 ? 0 : decimals > MAX_DECIMALS ? MAX_DECIMALS : decimals | 0;
  const neg = v < 0;
  const a = neg ? -v : v;
  let f = POW10[d];
  let scaled = Math.round(a * f);
  if (scaled > EXACT) {
    d = 0;
    f = 1;
    scaled = Math.round(a);
  }
  if (neg && scaled !== 0) buf[off++] = 0x2d;
  if (d === 0) return writeDigits(buf, off, scaled, 1);
  let whole = Math.floor(scaled / f);
  let frac = scaled - whole * f;
  // The division is rounded; near the top of the exact range it can land one unit off.
  if (frac < 0) {
    whole -= 1;
    frac += f;
  } else if (frac >= f) {
    whole += 1;
    frac -= f;
  }
  off = writeDigits(buf, off, whole, 1);
  buf[off++] = 0x2e;
  return writeDigits(buf, off, frac, d);
}

const HEX = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66];

// Output bytes for one source byte that is not part of a raw UTF-8 sequence.
function escapedSize(b: number): number {
  if (b === 0x22 || b === 0x5c || b === 0x08 || b === 0x0c || b === 0x0a || b === 0x0d || b === 0x09) return 2;
  return b < 0x20 || b >= 0x7f ? 6 : 1;
}

function writeEscaped(buf: Uint8Array, o: number, b: number): number {
  if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) {
    buf[o] = b;
    return o + 1;
  }
  buf[o++] = 0x5c;
  if (b === 0x22 || b === 0x5c) buf[o++] = b;
  else if (b === 0x08) buf[o++] = 0x62; // b
  else if (b === 0x0c) buf[o++] = 0x66; // f
  else if (b === 0x0a) buf[o++] = 0x6e; // n
  else if (b === 0x0d) buf[o++] = 0x72; // r
  else if (b === 0x09) buf[o++] = 0x74; // t
  else {
    buf[o++] = 0x75; // u
    buf[o++] = 0x30;
    buf[o++] = 0x30;
    buf[o++] = HEX[b >> 4];
    buf[o++] = HEX[b & 15];
  }
  return o;
}

/**
 * writeJsonString(buf, off, limit, src, sOff, len) -> end: src's bytes as a quoted JSON string, never
 * past buf[limit - 1]. Valid UTF-8 passes through; other bytes (a binary payload) are escaped as
 * \u00XX, so the document stays valid JSON whatever arrived. Too long: cut at a character boundary.
 * Needs limit - off >= 2.
 */
export function writeJsonString(
  buf: Uint8Array, off: number, limit: number, src: Uint8Array, sOff: number, len: number,
): number {
  const raw = validateUtf8Bytes(src, sOff, len);
  const stop = limit - 1; // room kept for the closing quote
  let o = off;
  buf[o++] = 0x22;
  const end = sOff + len;
  let i = sOff;
  while (i < end) {
    const b = src[i];
    if (b >= 0x80 && raw) {
      // A whole UTF-8 sequence (valid, so its length follows from the lead byte), or nothing.
      const n = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      if (o + n > stop) break;
      for (let k = 0; k < n; k++) buf[o++] = src[i + k];
      i += n;
      continue;
    }
    if (o + escapedSize(b) > stop) break;
    o = writeEscaped(buf, o, b);
    i++;
  }
  buf[o++] = 0x22;
  return o;
}

// validateUtf8 also refuses U+0000, which JSON can carry escaped; only ill-formed bytes need \u00XX.
function validateUtf8Bytes(src: Uint8Array, off: number, len: number): boolean {
  const end = off + len;
  let start = off;
  for (let i = off; i <= end; i++) {
    if (i === end || src[i] === 0) {
      if (i > start && validateUtf8(src, start, i - start) !== OK) return false;
      start = i + 1;
    }
  }
  return true;
}
