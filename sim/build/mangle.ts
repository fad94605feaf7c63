// Which property names the firmware build may shorten. The interpreter lexes its source as it runs and
// stores every property name in the object that has it, so `this.pingOutstanding` costs more time and
// memory than `this.a`; esbuild renames properties consistently across the bundle when told which.
// Only names that can never be seen from outside the bundle are safe: members of the firmware's own
// classes, less every name that also stands for something outside (Espruino's API, the seams'
// interfaces, the board config, keys of object literals that may be serialized or handed over, the
// built-ins of JavaScript).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

let cached: RegExp | null = null;

/**
 * mangleablePattern() -> a RegExp of the property names the build may rename: members of classes under
 * firmware/ that no interface, type literal, object literal key, string-keyed access, .d.ts or built-in
 * uses.
 */
export function mangleablePattern(): RegExp {
  if (cached) return cached;
  const members = new Set<string>();
  const kept = new Set<string>(BUILTINS);
  for (const file of tsFiles(FIRMWARE)) {
    const dts = file.endsWith(".d.ts");
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2020, true);
    const visit = (n: ts.Node): void => {
      if (dts && ts.isIdentifier(n)) kept.add(n.text);
      else if (ts.isClassDeclaration(n)) {
        for (const m of n.members) {
          const name = propertyName(m.name);
          if (name !== null) members.add(name);
        }
      } else if (ts.isInterfaceDeclaration(n) || ts.isTypeLiteralNode(n) || ts.isObjectLiteralExpression(n)) {
        const list = ts.isObjectLiteralExpression(n) ? n.properties : n.members;
        for (const m of list) {
          const name = propertyName(m.name);
          if (name !== null) kept.add(name);
        }
      } else if (ts.isElementAccessExpression(n) && ts.isStringLiteral(n.argumentExpression)) {
        kept.add(n.argumentExpression.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  const names = [...members].filter((n) => !kept.has(n)).sort();
  cached = new RegExp("^(?:" + names.join("|") + ")$");
  return cached;
}
