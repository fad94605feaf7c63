// A strict JSON (RFC 8259) parser for hand-written files. It accepts exactly what JSON.parse accepts and
// returns the same value, but its errors carry a line and column with a plain reason (and a hint for the
// usual slips: trailing commas, comments, single quotes, bare keys), the same in every Node version; and
// it reports keys written twice in one object, which JSON.parse silently resolves to the last one. One
// refusal of its own: nesting deeper than MAX_DEPTH, which no board needs and which would otherwise run
// this parser, or whatever walks the value next, out of stack.

/** Arrays and objects nested deeper than this are refused. */
export const MAX_DEPTH = 64;

export type JsonPath = (string | number)[];

export interface DuplicateKey {
  path: JsonPath;
  line: number;
  column: number;
  /** Where the key first appeared. */
  firstLine: number;
}

export class JsonSyntaxError extends Error {
  constructor(readonly reason: string, readonly offset: number, readonly line: number, readonly column: number) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = "JsonSyntaxError";
  }
}

/** parseJson(text) -> the value and the duplicated keys; throws JsonSyntaxError. */
export function parseJson(text: string): { value: unknown; duplicates: DuplicateKey[] } {
  const p = new Parser(text);
  return { value: p.parseDocument(), duplicates: p.duplicates };
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return "end of file";
  const code = ch.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${ch}'`;
}

class Parser {
  pos = 0;
  readonly duplicates: DuplicateKey[] = [];
  private readonly path: JsonPath = [];
  private depth = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    this.skipSpace();
    const value = this.parseValue("a value");
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${describe(this.text[this.pos])} after the end of the document`);
    return value;
  }

  private fail(reason: string, at = this.pos): never {
    const { line, column } = lineColumn(this.text, at);
    throw new JsonSyntaxError(reason, at, line, column);
  }

  private skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else if (c === "/" && (t[this.pos + 1] === "/" || t[this.pos + 1] === "*")) this.fail("comments are not allowed in JSON");
      else return;
    }
  }

  private unexpected(expected: string): never {
    const c = this.text[this.pos];
    if (c === "'") this.fail(`unexpected "'", expected ${expected} (JSON strings use double quotes)`);
    return this.fail(`unexpected ${describe(c)}, expected ${expected}`);
  }

  private parseValue(expected: string): unknown {
    const c = this.text[this.pos];
    switch (c) {
      case "{": return this.nested(() => this.parseObject());
      case "[": return this.nested(() => this.parseArray());
      case '"': return this.parseString();
      case "t": return this.literal("true", true);
      case "f": return this.literal("false", false);
      case "n": return this.literal("null", null);
      default:
        if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.parseNumber();
        return this.unexpected(expected);
    }
  }

  private nested<T>(parse: () => T): T {
    if (this.depth === MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    this.depth++;
    const value = parse();
    this.depth--;
    return value;
  }

  private literal<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    return this.fail(`unexpected ${describe(this.text[this.pos])}, expected a value (true, false and null are lower case; strings need double quotes)`);
  }

  private parseNumber(): number {
    const re = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m || m[0] === "-") this.fail("malformed number");
    const end = this.pos + m[0].length;
    const next = this.text[end];
    if (next !== undefined && /[0-9.eE+\-xXa-zA-Z_]/.test(next)) this.fail("malformed number", this.pos);
    this.pos = end;
    return Number(m[0]);
  }

  private parseString(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    let out = "";
    let run = this.pos;
    for (;;) {
      const c = t[this.pos];
      if (c === undefined) this.fail("unterminated string", start);
      if (c === '"') {
        out += t.slice(run, this.pos);
        this.pos++;
        return out;
      }
      if (c === "\\") {
        out += t.slice(run, this.pos);
        const e = t[this.pos + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && e in simple) {
          out += simple[e];
          this.pos += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(t.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else {
          this.fail(`invalid escape "\\${e ?? ""}" in a string`);
        }
        run = this.pos;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) this.fail(c === "\n" ? "unterminated string (a line break inside a string must be written \\n)" : `${describe(c)} inside a string (write it as an escape)`);
      this.pos++;
    }
  }

  private parseArray(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.path.push(out.length);
      out.push(this.parseValue("a value"));
      this.path.pop();
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === "]") {
        this.pos++;
        return out;
      }
      if (c !== ",") this.unexpected("',' or ']'");
      const comma = this.pos;
      this.pos++;
      this.skipSpace();
      if (this.text[this.pos] === "]") this.fail("trailing comma before ']'", comma);
    }
  }

  private parseObject(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    // Where each key first appeared (offset); lines are counted only for a duplicate, as counting them
    // for every key would make a large object quadratic.
    const seen = new Map<string, number>();
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') {
        if (/[A-Za-z_$]/.test(this.text[this.pos] ?? "")) this.fail("property names need double quotes");
        this.unexpected("a property name in double quotes");
      }
      const keyAt = this.pos;
      const key = this.parseString();
      const first = seen.get(key);
      if (first !== undefined) {
        const where = lineColumn(this.text, keyAt);
        this.duplicates.push({ path: [...this.path, key], line: where.line, column: where.column, firstLine: lineColumn(this.text, first).line });
      } else {
        seen.set(key, keyAt);
      }
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.unexpected("':' after the property name");
      this.pos++;
      this.skipSpace();
      this.path.push(key);
      // defineProperty: a "__proto__" key stays an own property, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.parseValue("a value"), writable: true, enumerable: true, configurable: true });
      this.path.pop();
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === "}") {
        this.pos++;
        return out;
      }
      if (c !== ",") this.unexpected("',' or '}'");
      const comma = this.pos;
      this.pos++;
      this.skipSpace();
      if (this.text[this.pos] === "}") this.fail("trailing comma before '}'", comma);
    }
  }
}
