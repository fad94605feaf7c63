import { OK, E_UTF8_INVALID, E_UTF8_NULL } from "./errors";
import { allocBytes } from "./bytes";

/**
 * validateUtf8(buf, off, len) -> OK, E_UTF8_NULL (a 0x00 byte) or E_UTF8_INVALID (ill-formed: bad
 * continuation, overlong form, surrogate, above U+10FFFF). Reads buf[off .. off+len) only.
 */
export function validateUtf8(buf: Uint8Array, off: number, len: number): number {
  const end = off + len;
  let i = off;
  while (i < end) {
    const b = buf[i];
    if (b < 0x80) {
      if (b === 0) return E_UTF8_NULL;
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; cp = b & 0x0f; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; cp = b & 0x07; }
    else return E_UTF8_INVALID;
    if (i + need >= end) return E_UTF8_INVALID;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) return E_UTF8_INVALID;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return E_UTF8_INVALID;
    i += need + 1;
  }
  return OK;
}

/**
 * utf8Length(s) -> number of bytes of s in UTF-8. Start-up only. Lone surrogates count as U+FFFD.
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * utf8Write(s, buf, off) -> end offset after writing s as UTF-8 at buf[off]; the caller sized buf with
 * utf8Length. Lone surrogates are written as U+FFFD.
 */
export function utf8Write(s: string, buf: Uint8Array, off: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) { buf[off++] = c; continue; }
    if (c < 0x800) { buf[off++] = 0xc0 | (c >> 6); buf[off++] = 0x80 | (c & 0x3f); continue; }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && (d & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        buf[off++] = 0xf0 | (c >> 18);
        buf[off++] = 0x80 | ((c >> 12) & 0x3f);
        buf[off++] = 0x80 | ((c >> 6) & 0x3f);
        buf[off++] = 0x80 | (c & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    buf[off++] = 0xe0 | (c >> 12);
    buf[off++] = 0x80 | ((c >> 6) & 0x3f);
    buf[off++] = 0x80 | (c & 0x3f);
  }
  return off;
}

/** utf8Bytes(s) -> bytes holding s in UTF-8, kept for good (allocBytes). Start-up only (it allocates). */
export function utf8Bytes(s: string): Uint8Array {
  const out = allocBytes(utf8Length(s));
  utf8Write(s, out, 0);
  return out;
}

/**
 * utf8Array(s) -> s in UTF-8 in an array of its own, for bytes only start-up reads: a share of a slab
 * (allocBytes) would stay taken for good. Start-up only (it allocates).
 */
export function utf8Array(s: string): Uint8Array {
  const out = new Uint8Array(utf8Length(s));
  utf8Write(s, out, 0);
  return out;
}

/** utf8Read(buf, off, len) -> the string those UTF-8 bytes spell. Edges only (it allocates). */
export function utf8Read(buf: Uint8Array, off: number, len: number): string {
  let s = "";
  const end = off + len;
  let i = off;
  while (i < end) {
    const b = buf[i];
    let cp = 0xfffd;
    let n = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc0 && b < 0xe0 && i + 1 < end) { cp = ((b & 0x1f) << 6) | (buf[i + 1] & 0x3f); n = 2; }
    else if (b >= 0xe0 && b < 0xf0 && i + 2 < end) { cp = ((b & 0x0f) << 12) | ((buf[i + 1] & 0x3f) << 6) | (buf[i + 2] & 0x3f); n = 3; }
    else if (b >= 0xf0 && i + 3 < end) {
      cp = ((b & 0x07) << 18) | ((buf[i + 1] & 0x3f) << 12) | ((buf[i + 2] & 0x3f) << 6) | (buf[i + 3] & 0x3f);
      n = 4;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      s += String.fromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else s += String.fromCharCode(cp);
    i += n;
  }
  return s;
}
