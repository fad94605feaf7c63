// board.schema.json, compiled with ajv, and its errors in words: "relays[1].activeLow: must be true or
// false" rather than ajv's "/relays/1/activeLow must be boolean".
import { readFileSync } from "node:fs";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";

export const SCHEMA_URL = new URL("../../board.schema.json", import.meta.url);

/** The schema as a plain object (the same file editors read). */
export const BOARD_SCHEMA: Record<string, any> = JSON.parse(readFileSync(SCHEMA_URL, "utf8"));

/** A path as a list of keys and indexes -> "relays[1].pin"; the document itself is "(root)". */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === "" ? "(root)" : out;
}

/** An ajv instancePath "/relays/1/pin" -> ["relays", 1, "pin"]. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === "") return [];
  return pointer.slice(1).split("/").map((s) => {
    const key = s.replace(/~1/g, "/").replace(/~0/g, "~");
    return /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key;
  });
}

let validator: ValidateFunction | null = null;

function compile(): ValidateFunction {
  if (validator) return validator;
  // allErrors: report every problem at once. verbose: errors carry the schema and data used for messages.
  // strict stays on, so a mistake in the schema itself fails here rather than passing silently.
  const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
  // VS Code's extension keyword for a readable pattern failure; the loader uses the same text.
  ajv.addKeyword({ keyword: "patternErrorMessage", schemaType: "string" });
  validator = ajv.compile(BOARD_SCHEMA);
  return validator;
}

export interface SchemaProblem {
  path: (string | number)[];
  message: string;
}

/** validateSchema(doc) -> [] when doc matches board.schema.json, else one problem per failing rule. */
export function validateSchema(doc: unknown): SchemaProblem[] {
  const validate = compile();
  if (validate(doc)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "if");
  // A value of the wrong type fails its other keywords too (enum, pattern...): the type says it all. A
  // property that does not belong there at all ("false schema") says more than any rule about its value.
  const rank = (k: string) => (k === "false schema" ? 2 : k === "type" ? 1 : 0);
  const top = new Map<string, number>();
  for (const e of errors) top.set(e.instancePath, Math.max(top.get(e.instancePath) ?? 0, rank(e.keyword)));
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (rank(e.keyword) < (top.get(e.instancePath) ?? 0)) continue;
    const p = humanize(e, doc);
    const key = `${formatPath(p.path)}\n${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = {
  boolean: "true or false",
  integer: "a whole number",
  number: "a number",
  string: "a string",
  object: "an object",
  array: "an array",
  null: "null",
};

/** What an enum's values are called in messages, by property name. */
const ENUM_NOUNS: Record<string, string> = {
  type: "sensor type",
  pull: "pull",
  edge: "edge",
  powerOn: "power-on state",
  state: "fail-safe state",
  action: "button action",
  holdAction: "hold action",
  connected: "LED state",
  mode: "discovery mode",
};

function humanize(e: ErrorObject, doc: unknown): SchemaProblem {
  const path = pointerToPath(e.instancePath);
  const last = path[path.length - 1];
  switch (e.keyword) {
    case "type": {
      const types = String(e.params.type).split(",");
      return { path, message: `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(" or ")}` };
    }
    case "required":
      return { path: [...path, e.params.missingProperty], message: "missing" };
    case "additionalProperties": {
      const key: string = e.params.additionalProperty;
      const known = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const guess = closest(key, known);
      return { path: [...path, key], message: guess ? `unknown property (did you mean "${guess}"?)` : "unknown property" };
    }
    case "enum": {
      const noun = ENUM_NOUNS[String(last)] ?? "value";
      const allowed = (e.params.allowedValues as unknown[]).map(String).join(", ");
      return { path, message: `unknown ${noun} ${JSON.stringify(e.data)} (${allowed})` };
    }
    case "minimum":
      return { path, message: `must be at least ${e.params.limit}` };
    case "maximum":
      return { path, message: `must be at most ${e.params.limit}` };
    case "exclusiveMinimum":
      return { path, message: `must be greater than ${e.params.limit}` };
    case "exclusiveMaximum":
      return { path, message: `must be less than ${e.params.limit}` };
    case "minLength":
      return { path, message: e.params.limit === 1 ? "must not be empty" : `must have at least ${e.params.limit} characters` };
    case "maxLength":
      return { path, message: `must have at most ${e.params.limit} characters` };
    case "pattern": {
      const text = e.parentSchema?.patternErrorMessage;
      return { path, message: typeof text === "string" ? text : `must match ${e.params.pattern}` };
    }
    case "false schema": {
      // The sensor rules: a property that does not apply to the sensor's type.
      const parent = valueAt(doc, path.slice(0, -1)) as { type?: unknown } | undefined;
      const uses = sensorTypesUsing(String(last));
      const types = uses.length > 1 ? `${uses.slice(0, -1).join(", ")} and ${uses[uses.length - 1]}` : uses[0];
      return {
        path,
        message: `applies only to ${types} sensors, not ${String(parent?.type)}`,
      };
    }
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

/** The sensor types for which board.schema.json allows a property (read from its allOf if/then rules). */
export function sensorTypesUsing(prop: string): string[] {
  const sensor = BOARD_SCHEMA.definitions.sensor;
  return (sensor.properties.type.enum as string[]).filter((t) => {
    const rule = (sensor.allOf as any[]).find((r) => r.if.properties.type.const === t);
    return !(rule && rule.then.properties[prop] === false);
  });
}

function valueAt(doc: unknown, path: readonly (string | number)[]): unknown {
  let v: any = doc;
  for (const seg of path) v = v == null ? undefined : v[seg];
  return v;
}

/** The known name a typo most likely meant: same letters in another case, or at most 2 edits away. */
function closest(key: string, known: string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    if (k.toLowerCase() === key.toLowerCase()) return k;
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD && d < Math.max(k.length, key.length) / 2) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
