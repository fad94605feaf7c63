// Byte-level helpers shared by the encoder and the decoder, and the runtime's natives (platform.ts).
import type { Natives } from "../platform";

/** A function that copies src[sOff .. sOff+len) to dst[dOff ..]; see setByteCopy. */
export type ByteCopy = (dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number) => void;

/**
 * Loop copy: allocates nothing, which is what V8 needs on hot paths (a subarray is an object). Unrolled
 * by eight because that halves the cost per byte in V8.
 */
export function loopCopy(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number): void {
  const end = sOff + len;
  const end8 = end - 7;
  while (sOff < end8) {
    dst[dOff] = src[sOff];
    dst[dOff + 1] = src[sOff + 1];
    dst[dOff + 2] = src[sOff + 2];
    dst[dOff + 3] = src[sOff + 3];
    dst[dOff + 4] = src[sOff + 4];
    dst[dOff + 5] = src[sOff + 5];
    dst[dOff + 6] = src[sOff + 6];
    dst[dOff + 7] = src[sOff + 7];
    dOff += 8;
    sOff += 8;
  }
  while (sOff < end) dst[dOff++] = src[sOff++];
}

/**
 * Native bulk copy. On Espruino a JS byte loop costs ~5 us a byte and `set` is ~30x cheaper, while the
 * short-lived subarray view is freed at once by reference counting; the board's main installs it.
 */
export function nativeCopy(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number): void {
  // A whole array needs no view at all.
  if (len > 0) dst.set(sOff === 0 && len === src.length ? src : src.subarray(sOff, sOff + len), dOff);
}

let copyImpl: ByteCopy = loopCopy;

/**
 * From this many bytes on, one native set() beats V8's byte loop (its call costs about as much as
 * copying 16-24 bytes in JS).
 */
const SET_MIN = 16;

/**
 * copyBytes(dst, dOff, src, sOff, len): copies with the installed strategy (loop unless set). A whole
 * array needs no view, so it goes to the native set() at once, allocation-free on V8 and Espruino alike:
 * the usual case, since topics and fixed payloads are encoded once at start-up.
 */
export function copyBytes(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number): void {
  if (len >= SET_MIN && sOff === 0 && len === src.length) dst.set(src, dOff);
  else copyImpl(dst, dOff, src, sOff, len);
}

/** setByteCopy(fn): chooses how copyBytes copies, once at start-up (nativeCopy on Espruino). */
export function setByteCopy(fn: ByteCopy): void {
  copyImpl = fn;
}

/** loopAscii(buf, off, s) -> the end: s's characters as bytes, one at a time (reading chars allocates nothing). */
export function loopAscii(buf: Uint8Array, off: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[off++] = s.charCodeAt(i) & 0xff;
  return off;
}

/** The portable natives, what V8 wants: loop copies, no strings. The default until setNatives. */
export const portableNatives: Natives = { copy: loopCopy, toText: null, ascii: loopAscii };

/** The installed natives; the engine's hot paths read `natives.toText` directly. */
export let natives: Natives = portableNatives;

/**
 * textOf(bytes) -> the bytes as a string of 8-bit characters where the runtime makes one (natives.toText),
 * else null. Start-up and seldom-run code; the hot paths call natives.toText themselves.
 */
export function textOf(bytes: Uint8Array): string | null {
  const toText = natives.toText;
  const s = toText === null ? undefined : toText(bytes);
  return s === undefined ? null : s;
}

/** setNatives(n): installs the runtime's natives (firmware/espruino/natives.ts on the board). Start-up only. */
export function setNatives(n: Natives): void {
  natives = n;
  copyImpl = n.copy;
}

/** readU16(buf, off) -> the big-endian 16-bit integer at buf[off]. */
export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

/** remainingLengthSize(n) -> bytes the variable-length encoding of n takes (1-4); n <= 268,435,455. */
export function remainingLengthSize(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4;
}

/** writeRemainingLength(buf, off, n) -> end offset; the caller checked room and n's range. */
export function writeRemainingLength(buf: Uint8Array, off: number, n: number): number {
  // n < 2^28, so 32-bit integer shifts are exact.
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n > 0) b |= 0x80;
    buf[off++] = b;
  } while (n > 0);
  return off;
}

/**
 * Requests up to this size share a slab; larger ones get their own array. A slab's unused end is lost for
 * good, so slabs stay small: for board.json, 256-byte slabs held 47 JsVars less on the interpreter than
 * 1 KB ones (measured; 128 to 512 bytes all did better than 1 KB).
 */
const SLAB_SMALL = 128;
const SLAB_BYTES = 256;
let slab: Uint8Array | null = null;
let slabUsed = 0;

/**
 * allocBytes(n) -> n zeroed bytes kept for the life of the program (topics, fixed payloads). Small ones
 * are views into a shared 256-byte slab: each separate small array costs an ArrayBuffer and its header
 * (about 200 bytes of heap on V8, a few JsVars on Espruino), which adds up over dozens of topics and,
 * in the simulator, thousands of boards. Start-up only.
 */
export function allocBytes(n: number): Uint8Array {
  if (n > SLAB_SMALL) return new Uint8Array(n);
  if (slab === null || slabUsed + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsed = 0;
  }
  const v = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return v;
}
