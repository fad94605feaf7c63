// Espruino's pretokenised form of a bundle: what the Web IDE's "pretokenise" option and the interpreter's
// own E.setFlags({pretokenise:1}) write (jslex.c, _jslNewTokenisedStringFromLexer). Reserved words and
// multi-character operators become one byte each, strings and small integers a tagged byte and their
// raw value, whitespace goes. The interpreter lexes code as it runs it, so the board reads fewer bytes
// from flash and skips the keyword compares and number parsing on every line it runs; long strings
// stay in flash instead of being copied into JsVars. The token stream is the one Espruino's lexer makes
// from the text, so the program is the same program.
import * as acorn from "acorn";

// Token numbers of LEX_TYPES (jslex.h, Espruino 2v29). The header says the mapping never changes:
// the Web IDE and the Bangle.js app loader rely on it.
const OPERATOR1_START = 138;
const OPERATORS = ["==", "===", "!=", "!==", "<=", "<<", "<<=", ">=", ">>", ">>>", ">>=", ">>>=", "+=", "-=",
  "++", "--", "*=", "/=", "%=", "&=", "&&", "|=", "||", "^=", "=>"];
const RESERVED = ["if", "else", "do", "while", "for", "break", "continue", "function", "return", "var", "let",
  "const", "this", "throw", "try", "catch", "finally", "true", "false", "null", "undefined", "new", "in",
  "instanceof", "switch", "case", "default", "delete", "typeof", "void", "debugger", "class", "extends",
  "super", "static", "of"];
// After the last reserved word (LEX_R_OF), ten numbers are kept free for new symbols.
const OPERATOR2_START = OPERATOR1_START + OPERATORS.length + RESERVED.length - 1 + 10;
export const TOKEN = {
  NULLISH: OPERATOR2_START,
  RAW_STRING8: OPERATOR2_START + 1,
  RAW_STRING16: OPERATOR2_START + 2,
  RAW_INT0: OPERATOR2_START + 3,
  RAW_INT8: OPERATOR2_START + 4,
  RAW_INT16: OPERATOR2_START + 5,
} as const;

const CODE = new Map<string, number>();
OPERATORS.forEach((op, i) => CODE.set(op, OPERATOR1_START + i));
RESERVED.forEach((w, i) => CODE.set(w, OPERATOR1_START + OPERATORS.length + i));
CODE.set("??", TOKEN.NULLISH);

// Integers Espruino's lexer reads as LEX_INT (no '.', no exponent; a leading 0 only in 0x/0b/0o).
const INT = /^(?:0|[1-9][0-9]*|0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+)$/;

/** tokenCode(text) -> the byte Espruino gives a reserved word or operator, or undefined for any other text. */
export function tokenCode(text: string): number | undefined {
  return CODE.get(text);
}

const TEXT = new Map<number, string>([...CODE].map(([text, code]) => [code, text]));

/** tokenText(code) -> the reserved word or operator a token byte stands for, or undefined. */
export function tokenText(code: number): string | undefined {
  return TEXT.get(code);
}

type Kind = "word" | "number" | "regex" | "other";

// Whether a string literal means the same bytes on every build of the interpreter, so it can be stored raw
// (the lexer reads a raw string as bytes, never as UTF-8): what it writes is ASCII, and every character
// beyond ASCII is a \x escape. A \u escape beyond ASCII, or such a character written as it is, is UTF-8
// on builds with Unicode support and one byte on others (jslex.c, jslLexString): that stays text, for the
// board's lexer to read as its build does.
function bytesAlike(literal: string): boolean {
  if (/[^\x00-\x7f]/.test(literal)) return false;
  for (let i = 0; i < literal.length; i++) {
    if (literal[i] !== "\\") continue;
    if (literal[i + 1] === "u" && parseInt(literal.slice(i + 2, i + 6), 16) >= 0x80) return false;
    i++;
  }
  return true;
}

/**
 * pretokenise(source) -> the bytes of `source` in Espruino's pretokenised form (latin1 when read as a
 * string). Throws a SyntaxError, with its place, when `source` is not ES5.
 */
export function pretokenise(source: string): Buffer {
  const out: number[] = [];
  // What the last thing written was, for the spaces the lexer needs to split tokens again.
  let last: Kind = "other";
  let lastChar = "";
  let lastText = false;
  const text = (s: string, kind: Kind) => {
    const first = s[0];
    if ((kind === "word" || kind === "number") && (last === "word" || last === "number")) out.push(32);
    else if ((first === "-" && lastChar === "-") || (first === "+" && lastChar === "+")) out.push(32);
    else if (kind === "regex" && lastChar === "/") out.push(32);
    else if (last === "regex" && (first === "/" || kind === "word" || kind === "number")) out.push(32);
    // A number written as text, then '.', would lex as one number ("1." then a name).
    else if (lastText && last === "number" && first === ".") out.push(32);
    for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
    last = kind;
    lastChar = s[s.length - 1];
    lastText = true;
  };
  const byte = (kind: Kind, ...b: number[]) => {
    // Espruino's tokeniser also keeps a space between a raw integer and a name or number after it.
    if (kind === "number" && (last === "word" || last === "number")) out.push(32);
    out.push(...b);
    last = kind;
    lastChar = "";
    lastText = false;
  };
  // Parsed first: the token mapping is Espruino's for ES5, and a file that is not ES5 is refused whole,
  // with its place, rather than stored half understood.
  // A bare `return` is let through: a function's body is pretokenised on its own too.
  acorn.parse(source, { ecmaVersion: 5, allowReturnOutsideFunction: true });
  for (const t of acorn.tokenizer(source, { ecmaVersion: 5 })) {
    const raw = source.slice(t.start, t.end);
    const code = t.type === acorn.tokTypes.string || t.type === acorn.tokTypes.num ? undefined : CODE.get(raw);
    if (code !== undefined) {
      byte("other", code);
    } else if (t.type === acorn.tokTypes.string) {
      const value = (t as acorn.Token & { value: string }).value;
      if (value.length === 0 || value.length > 0xffff || !bytesAlike(raw)) text(raw, "other");
      else if (value.length < 256) byte("other", TOKEN.RAW_STRING8, value.length, ...Buffer.from(value, "latin1"));
      else byte("other", TOKEN.RAW_STRING16, value.length & 255, value.length >> 8, ...Buffer.from(value, "latin1"));
    } else if (t.type === acorn.tokTypes.num) {
      const v = INT.test(raw) ? Number(raw) : NaN;
      if (v === 0) byte("number", TOKEN.RAW_INT0);
      else if (v >= -128 && v < 128) byte("number", TOKEN.RAW_INT8, v & 255);
      else if (v >= -32768 && v < 32768) byte("number", TOKEN.RAW_INT16, v & 255, (v >> 8) & 255);
      else text(raw, "number");
    } else if (t.type === acorn.tokTypes.name || t.type.keyword !== undefined) {
      text(raw, "word");
    } else if (t.type === acorn.tokTypes.regexp) {
      text(raw, "regex");
    } else if (t.type !== acorn.tokTypes.eof) {
      text(raw, "other");
    }
  }
  return Buffer.from(out);
}
