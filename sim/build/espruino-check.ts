// The Espruino compatibility check: a bundle must parse as ES5 and avoid every construct that
// docs/espruino.md lists as breaking on the interpreter. Each finding names the rule and the place.
import * as acorn from "acorn";

export interface Finding {
  rule: string;
  line: number;
  column: number;
  text: string;
}

type Node = acorn.Node & Record<string, any>;

// TypeScript/esbuild helpers that rely on hoisting or on what Espruino lacks.
const BAD_HELPERS: Record<string, string> = {
  __extends: "class inheritance helper (class ... extends): Espruino throws at load",
  __awaiter: "async/await helper: needs function hoisting",
  __generator: "generator helper: needs function hoisting",
  __spreadArray: "array spread helper: needs var hoisting out of an untaken branch",
  __spread: "spread helper",
  __read: "iterator destructuring helper (needs Symbol)",
  __values: "for...of iterator helper (needs Symbol)",
  __asyncValues: "async iteration helper",
  __require: "esbuild require shim: needs Proxy and Function.prototype.apply",
};

const MISSING_GLOBALS = [
  "Map", "Set", "WeakMap", "WeakSet", "Symbol", "Proxy", "Reflect", "TextEncoder", "TextDecoder", "globalThis",
];

// Object.member pairs that are missing.
const MISSING_STATICS: Record<string, string[]> = {
  Object: ["freeze"],
  Array: ["from", "of"],
  Uint8Array: ["from", "of"],
  Uint16Array: ["from", "of"],
  Uint32Array: ["from", "of"],
  Int8Array: ["from", "of"],
  Int16Array: ["from", "of"],
  Int32Array: ["from", "of"],
  Float32Array: ["from", "of"],
  Float64Array: ["from", "of"],
  ArrayBuffer: ["isView"],
  Math: ["imul", "trunc"],
  Number: ["isInteger"],
  Promise: ["race", "allSettled"],
};

// Methods missing on instances, whatever the object.
const MISSING_METHODS = ["copyWithin", "padStart", "padEnd", "finally"];

// Built-ins whose prototype members are undefined when reached through `X.prototype.y`.
const PROTOTYPE_BROKEN = ["Array", "String", "Function", "Number", "Boolean", "RegExp", "Date", "Uint8Array"];

/** checkEspruino(source) -> every finding; an empty list means the bundle passes. */
export function checkEspruino(source: string): Finding[] {
  const findings: Finding[] = [];
  let ast: Node;
  try {
    ast = acorn.parse(source, { ecmaVersion: 5, locations: true }) as Node;
  } catch (e) {
    const err = e as { message: string; loc?: { line: number; column: number } };
    return [{ rule: "not ES5: " + err.message, line: err.loc?.line ?? 0, column: err.loc?.column ?? 0, text: "" }];
  }
  const add = (rule: string, n: Node) =>
    findings.push({ rule, line: n.loc!.start.line, column: n.loc!.start.column, text: source.slice(n.start, Math.min(n.end, n.start + 80)) });

  const declared = new Set<string>();
  walk(ast, (n) => {
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier") declared.add(n.id.name);
    if ((n.type === "FunctionDeclaration" || n.type === "FunctionExpression") && n.id) declared.add(n.id.name);
    if (n.type === "FunctionDeclaration" || n.type === "FunctionExpression") {
      for (const p of n.params) if (p.type === "Identifier") declared.add(p.name);
    }
    if (n.type === "CatchClause" && n.param?.type === "Identifier") declared.add(n.param.name);
  });

  walk(ast, (n, parent) => {
    switch (n.type) {
      case "LabeledStatement":
        add("labelled statement: labels break on Espruino", n);
        break;
      case "Identifier": {
        const isProperty = parent && parent.type === "MemberExpression" && parent.property === n && !parent.computed;
        const isKey = parent && parent.type === "Property" && parent.key === n;
        if (isProperty || isKey) break;
        if (own(BAD_HELPERS, n.name)) add(BAD_HELPERS[n.name], n);
        if (MISSING_GLOBALS.indexOf(n.name) >= 0 && !declared.has(n.name)) add(n.name + " does not exist on Espruino", n);
        break;
      }
      case "MemberExpression": {
        if (n.computed || n.property.type !== "Identifier") break;
        const prop: string = n.property.name;
        const obj = n.object as Node;
        if (obj.type === "Identifier" && own(MISSING_STATICS, obj.name) && MISSING_STATICS[obj.name].indexOf(prop) >= 0 &&
          !declared.has(obj.name)) {
          add(obj.name + "." + prop + " does not exist on Espruino", n);
        }
        if (MISSING_METHODS.indexOf(prop) >= 0) add("." + prop + " does not exist on Espruino", n);
        if (obj.type === "MemberExpression" && !obj.computed && obj.property.name === "prototype" &&
          obj.object.type === "Identifier" && PROTOTYPE_BROKEN.indexOf(obj.object.name) >= 0) {
          add(obj.object.name + ".prototype." + prop + " is undefined on Espruino (use [].x / \"\".x)", n);
        }
        break;
      }
    }
  });

  checkCallsBeforeDeclaration(ast, add);
  return findings;
}

function own(table: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

// Espruino does not hoist function declarations: at load time, a call that runs before the
// declaration's statement fails. Checked per function body (and the program), for statements that run
// straight away (calls inside nested functions run later and are fine).
function checkCallsBeforeDeclaration(ast: Node, add: (rule: string, n: Node) => void): void {
  const bodies: Node[][] = [ast.body];
  walk(ast, (n) => {
    if ((n.type === "FunctionDeclaration" || n.type === "FunctionExpression") && n.body.type === "BlockStatement") {
      bodies.push(n.body.body);
    }
  });
  for (const body of bodies) {
    const declaredAt = new Map<string, number>();
    body.forEach((s, i) => {
      if (s.type === "FunctionDeclaration" && s.id) declaredAt.set(s.id.name, i);
    });
    if (declaredAt.size === 0) continue;
    body.forEach((s, i) => {
      if (s.type === "FunctionDeclaration") return; // its body runs when called, not now
      walk(s, (n) => {
        if ((n.type === "CallExpression" || n.type === "NewExpression") && n.callee.type === "Identifier") {
          const at = declaredAt.get(n.callee.name);
          if (at !== undefined && at > i) add("call to " + n.callee.name + "() before its declaration runs (no hoisting)", n);
        }
      }, true);
    });
  }
}

// Visits every node; with `shallow`, does not enter nested functions (their bodies run later).
function walk(node: Node, visit: (n: Node, parent: Node | null) => void, shallow = false, parent: Node | null = null): void {
  visit(node, parent);
  for (const key of Object.keys(node)) {
    if (key === "loc") continue;
    const v = (node as any)[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === "string") enter(c);
    } else if (v && typeof v.type === "string") enter(v);
  }
  function enter(c: Node) {
    if (shallow && (c.type === "FunctionExpression" || c.type === "FunctionDeclaration")) return;
    walk(c, visit, shallow, node);
  }
}
