// Relay commands as bytes: the payload is compared with the accepted words in place, ignoring case and
// surrounding whitespace, so handling a command allocates nothing (no string made from the payload).

export const CMD_NONE = 0;
export const CMD_ON = 1;
export const CMD_OFF = 2;
export const CMD_TOGGLE = 3;

// Upper-case ASCII of each accepted word.
const WORD_ON = [0x4f, 0x4e];
const WORD_OFF = [0x4f, 0x46, 0x46];
const WORD_TOGGLE = [0x54, 0x4f, 0x47, 0x47, 0x4c, 0x45];

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

// Whether buf[off .. off+len) spells `word` (upper case) in any case.
function sameWord(buf: Uint8Array, off: number, len: number, word: number[]): boolean {
  if (len !== word.length) return false;
  for (let i = 0; i < len; i++) {
    const b = buf[off + i];
    if ((b >= 0x61 && b <= 0x7a ? b - 0x20 : b) !== word[i]) return false;
  }
  return true;
}

/**
 * parseCommand(buf, off, len) -> CMD_ON, CMD_OFF, CMD_TOGGLE or CMD_NONE: "ON", "OFF", "TOGGLE" in any
 * case, "1" or "0"; spaces, tabs and line ends around the word are ignored (`echo ON | mosquitto_pub -l`
 * sends a newline).
 */
export function parseCommand(buf: Uint8Array, off: number, len: number): number {
  let end = off + len;
  while (off < end && isSpace(buf[off])) off++;
  while (end > off && isSpace(buf[end - 1])) end--;
  const n = end - off;
  if (n === 1) return buf[off] === 0x31 ? CMD_ON : buf[off] === 0x30 ? CMD_OFF : CMD_NONE;
  if (sameWord(buf, off, n, WORD_ON)) return CMD_ON;
  if (sameWord(buf, off, n, WORD_OFF)) return CMD_OFF;
  if (sameWord(buf, off, n, WORD_TOGGLE)) return CMD_TOGGLE;
  return CMD_NONE;
}

// The accepted words as the interpreter's strings, by their trimmed upper-case form (Device.onMessage looks
// a word up here itself first).
export const WORDS: { [word: string]: number } = { ON: CMD_ON, OFF: CMD_OFF, TOGGLE: CMD_TOGGLE, "1": CMD_ON, "0": CMD_OFF };

/**
 * parseCommandText(text) -> what parseCommand gives for the same bytes, from the payload as a string of
 * 8-bit characters: one lookup for a word as it is usually sent, a few native calls otherwise.
 */
export function parseCommandText(text: string): number {
  let cmd = WORDS[text];
  if (typeof cmd !== "number") {
    // trim() drops more than parseCommand's space, tab, CR and LF: vertical tab and form feed on both
    // runtimes, no-break space (0xA0) on V8. A payload holding one is no command in either reading.
    if (text.indexOf("\v") >= 0 || text.indexOf("\f") >= 0 || text.indexOf("\u00a0") >= 0) return CMD_NONE;
    cmd = WORDS[text.trim().toUpperCase()];
  }
  // Only the table's numbers: "constructor" finds a function there, "__proto__" an object.
  return typeof cmd === "number" ? cmd : CMD_NONE;
}

/**
 * parseUint(buf, off, len) -> the decimal whole number buf[off .. off+len) spells (spaces around it
 * ignored), or -1: empty, another character, or more than 9 digits.
 */
export function parseUint(buf: Uint8Array, off: number, len: number): number {
  let end = off + len;
  while (off < end && isSpace(buf[off])) off++;
  while (end > off && isSpace(buf[end - 1])) end--;
  if (end === off || end - off > 9) return -1;
  let n = 0;
  for (let i = off; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

// "PULSE", upper case.
const WORD_PULSE = [0x50, 0x55, 0x4c, 0x53, 0x45];

/**
 * parsePulse(buf, off, len) -> the length in ms of "PULSE <ms>" (any case, spaces around), 0 when the
 * payload is PULSE with something other than a whole number after it, -1 when it is not PULSE at all.
 */
export function parsePulse(buf: Uint8Array, off: number, len: number): number {
  let end = off + len;
  while (off < end && isSpace(buf[off])) off++;
  if (end - off < 5 || !sameWord(buf, off, 5, WORD_PULSE)) return -1;
  off += 5;
  if (off < end && !isSpace(buf[off])) return -1;
  const ms = parseUint(buf, off, end - off);
  return ms > 0 ? ms : 0;
}

/** sameBytes(a, aOff, aLen, b) -> whether a[aOff .. aOff+aLen) equals all of b (exact topic match). */
export function sameBytes(a: Uint8Array, aOff: number, aLen: number, b: Uint8Array): boolean {
  if (aLen !== b.length) return false;
  for (let i = 0; i < aLen; i++) if (a[aOff + i] !== b[i]) return false;
  return true;
}
