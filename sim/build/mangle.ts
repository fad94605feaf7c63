// Which property names the firmware build may shorten. The interpreter lexes its source as it runs and
// stores every property name in the object that has it, so `this.pingOutstanding` costs more time and
// memory than `this.a`; esbuild renames properties consistently across the bundle when told which.
// Only names that can never be seen from outside the bundle are safe: members of the firmware's own
// classes, less every name that also stands for something outside (Espruino's API, the seams'
// interfaces, the board config, keys of object literals that may be serialized or handed over, the
// built-ins of JavaScript).
// A sealed bundle (the board's firmware: nothing outside it calls into its objects, bundle.ts) may also
// rename the members of interfaces and type literals, and with them the keys of object literals of the same
// names: every implementation and every reader of the seams is inside it, and the board config is
// embedded as an object literal that the same pass renames. On the interpreter that saves more than text:
// each property of an object in RAM holds its name, and a longer name takes more JsVars.
// What stays as written in a sealed bundle too: Espruino's API (.d.ts: so the keys of a literal handed to
// it, such as net.connect's host and port), the types of the Espruino binding (firmware/espruino/: what
// the interpreter's modules hand over, such as a socket's error), the members of JavaScript's globals the
// firmware calls (Math.random, even with an option named `random`), keys of literals written out as JSON
// (Home Assistant's discovery payloads) or used as a dictionary (a declared index signature or Record: the
// keys are data, e.g. a command word), and names any code reads with a string key.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const FIRMWARE = resolve(dirname(fileURLToPath(import.meta.url)), "../../firmware");

// JavaScript's and Espruino's built-in members the firmware reaches (typed arrays, strings, regexes,
// functions, iteration).
const BUILTINS = [
  "length", "set", "subarray", "indexOf", "push", "fill", "test", "substr", "charCodeAt", "charAt", "split", "join",
  "slice", "trim", "toUpperCase", "toString", "call", "apply", "prototype", "constructor", "hasOwnProperty",
  "replace", "concat", "buffer", "byteOffset", "byteLength", "value", "done", "next", "exec", "index", "input", "name",
  "message", "stack",
];

// JavaScript's global objects (Math, JSON, String...), as its library declares them: a firmware member named
// like one of their members (an option called `random`) must not rename the built-in's (Math.random).
function libraryGlobals(): Set<string> {
  const file = join(dirname(ts.getDefaultLibFilePath({})), "lib.es5.d.ts");
  const lib = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES5, true);
  const out = new Set<string>();
  for (const s of lib.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) out.add(d.name.text);
  }
  return out;
}

// Files whose object literals are written out as JSON (Home Assistant's discovery payloads): their keys are
// what the other side reads.
const SERIALIZED = [join("device", "discovery.ts")];
// The Espruino binding: its types describe what the interpreter's own modules hand over.
const BINDING = "espruino";

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out;
}

function propertyName(n: ts.PropertyName | undefined): string | null {
  return n && (ts.isIdentifier(n) || ts.isStringLiteral(n)) ? n.text : null;
}

// An object literal whose declared type is a dictionary (an index signature or Record): its keys are data.
function isDictionary(n: ts.ObjectLiteralExpression): boolean {
  const p = n.parent;
  const type = ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p) ? p.type : undefined;
  if (type === undefined) return false;
  if (ts.isTypeLiteralNode(type)) return type.members.some(ts.isIndexSignatureDeclaration);
  return ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === "Record";
}

const cached = new Map<boolean, RegExp>();

/**
 * mangleablePattern(sealed) -> a RegExp of the property names the build may rename: members of classes under
 * firmware/ that no interface, type literal, object literal key, string-keyed access, .d.ts or built-in
 * uses; sealed, also members of interfaces and type literals, with only the exceptions above kept.
 */
export function mangleablePattern(sealed = false): RegExp {
  const hit = cached.get(sealed);
  if (hit) return hit;
  const members = new Set<string>();
  const kept = new Set<string>(BUILTINS);
  const globals = libraryGlobals();
  for (const file of tsFiles(FIRMWARE)) {
    const dts = file.endsWith(".d.ts");
    const rel = file.slice(FIRMWARE.length + 1);
    // Where a sealed bundle may rename what a type names.
    const inside = sealed && !rel.startsWith(BINDING + sep);
    const serialized = SERIALIZED.includes(rel);
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2020, true);
    const visit = (n: ts.Node): void => {
      if (dts && ts.isIdentifier(n)) kept.add(n.text);
      else if (ts.isClassDeclaration(n)) {
        for (const m of n.members) {
          const name = propertyName(m.name);
          if (name !== null) members.add(name);
        }
      } else if (ts.isInterfaceDeclaration(n) || ts.isTypeLiteralNode(n)) {
        for (const m of n.members) {
          const name = propertyName(m.name);
          if (name !== null) (inside ? members : kept).add(name);
        }
      } else if (ts.isObjectLiteralExpression(n)) {
        // Sealed, a key is renamed with the member of the same name, if any: it is not one by itself.
        const keep = !sealed || serialized || isDictionary(n);
        for (const m of n.properties) {
          const name = propertyName(m.name);
          if (name !== null && keep) kept.add(name);
        }
      } else if (ts.isElementAccessExpression(n) && ts.isStringLiteral(n.argumentExpression)) {
        kept.add(n.argumentExpression.text);
      } else if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && globals.has(n.expression.text)) {
        kept.add(n.name.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  // Only names esbuild can write after a dot.
  const names = [...members].filter((n) => !kept.has(n) && /^[A-Za-z_$][\w$]*$/.test(n)).sort();
  const re = new RegExp("^(?:" + names.join("|") + ")$");
  cached.set(sealed, re);
  return re;
}
