// Keeps the code the board seldom runs out of its heap until it runs. On the interpreter every function
// holds JsVars for as long as it exists (about six, plus one a parameter: docs/espruino.md), however rarely
// it is called; once started the firmware spends most of its time in a few dozen functions, while some two
// hundred (connecting, subscribing, console commands, errors, stopping) wait for an event that may never
// come. Their text is in flash either way.
// This pass moves the functions and methods it is given (sim/build/cold.ts names them) into one "bank":
// a function that, called, makes them all and returns them in an array. A call to a moved function goes
// through the bank (`f(a)` becomes `__cold(3)(a)`, `x.m(a)` becomes `__cold(4).call(x, a)`); the bank is
// made at the first such call and let go once a second has passed without one, so a burst of rare work
// (a reconnection: CONNACK, SUBACK, the discovery configs) makes it once. Making it costs what lexing
// its text costs, about 450 instructions a byte (docs/espruino.md, "Cost model"), paid by rare events only.
// Only what can be reached by plain calls moves: a function also named anywhere else (passed as a value,
// bound, a constructor, a string), or a method called on a receiver with a call in it, stays where it was,
// and the result's `kept` says why. A method name several classes define moves only when every class's
// method of that name is cold, as the call cannot tell which class it reaches: each such class gets a tag
// on its prototype (`C.prototype.__k = 2`), and the call takes its class's function from the bank
// (`__cold(5)[x.__k].call(x, a)`).
import ts from "typescript";
import { addTo, iifeBody, isCallee, isPropertyName, methodOf, propertyNameAt } from "./bundle-ast";

/** Names the pass adds to the bundle's scope (it checks that the bundle has none of them). */
const COLD = "__cold";
const BANK = "__coldBank";
const USED = "__coldUsed";
const IDLE = "__coldIdle";
const MAKE = "__coldMake";
/** The prototype property that tells which class a call to a shared method name reached. */
const TAG = "__k";
/** How long the bank outlives its last use. */
const IDLE_MS = 1000;

type Unit = { key: string; node: ts.Node; fn: ts.FunctionLikeDeclaration; kind: "fn" | "method"; name: string; cls: string };

export interface ColdResult {
  code: string;
  /** What went to the bank, as "f" or "C.prototype.m" in the bundle's names. */
  moved: string[];
  /** What was asked for and stayed, with why. */
  kept: { key: string; why: string }[];
}

/**
 * moveColdCode(es5, cold) -> es5 with the functions and methods `cold` accepts ("f", "C.prototype.m" in the
 * bundle's own names) moved into the bank where they can be (see above); unchanged without any.
 */
export function moveColdCode(es5: string, cold: (key: string) => boolean): ColdResult {
  const file = ts.createSourceFile("firmware.js", es5, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const body = iifeBody(file);
  if (body === null) return { code: es5, moved: [], kept: [] };
  const wanted: Unit[] = [];
  const methodsNamed = new Map<string, number>();
  const classes = new Set<string>();
  for (const s of body.statements) {
    const m = methodOf(s);
    if (m !== null) {
      methodsNamed.set(m.name, (methodsNamed.get(m.name) ?? 0) + 1);
      classes.add(m.cls);
      const key = m.cls + ".prototype." + m.name;
      if (cold(key)) wanted.push({ key, node: s, fn: m.fn, kind: "method", name: m.name, cls: m.cls });
    } else if (ts.isFunctionDeclaration(s) && s.name && s.body && cold(s.name.text)) {
      wanted.push({ key: s.name.text, node: s, fn: s, kind: "fn", name: s.name.text, cls: "" });
    }
  }
  for (const reserved of [COLD, BANK, USED, IDLE, MAKE, "." + TAG]) if (es5.includes(reserved)) throw new Error(`the bundle already names ${reserved}`);

  // Every place a name is written, and whether it is a plain call.
  const idents = new Map<string, ts.Identifier[]>();
  const props = new Map<string, ts.Node[]>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      const p = n.parent;
      const declared = ts.isFunctionDeclaration(p) && p.name === n && p.parent === body;
      if (!isPropertyName(n) && !declared) addTo(idents, n.text, n);
    }
    const prop = propertyNameAt(n);
    if (prop !== null) addTo(props, prop, n);
    ts.forEachChild(n, visit);
  };
  visit(body);

  // A receiver is evaluated once either way (twice for a shared name, below); one with a call in it would
  // need its own edit inside ours.
  const plainReceiver = (e: ts.Expression): boolean =>
    e.kind === ts.SyntaxKind.ThisKeyword || ts.isIdentifier(e) || (ts.isPropertyAccessExpression(e) && plainReceiver(e.expression));
  const ctors = new Map<string, ts.FunctionDeclaration>();
  for (const s of body.statements) if (ts.isFunctionDeclaration(s) && s.name && classes.has(s.name.text)) ctors.set(s.name.text, s);
  const wantedNamed = new Map<string, Unit[]>();
  for (const u of wanted) if (u.kind === "method") addTo(wantedNamed, u.name, u);
  const kept: { key: string; why: string }[] = [];
  // What the bank holds: one function, or for a method name several classes define, one per class.
  const entries: Unit[][] = [];
  const grouped = new Set<string>();
  for (const u of wanted) {
    let why = "";
    if (u.kind === "fn") {
      const refs = idents.get(u.name) ?? [];
      if (classes.has(u.name)) why = "a constructor";
      else if (refs.some((r) => !isCallee(r) || ts.isNewExpression(r.parent))) why = "named other than in a call";
    } else {
      const group = wantedNamed.get(u.name) ?? [];
      const refs = (props.get(u.name) ?? []).filter((r) => !group.some((g) => ts.isPropertyAccessExpression(r) && r.parent === (g.node as ts.ExpressionStatement).expression));
      if ((methodsNamed.get(u.name) ?? 0) > group.length) why = "another class's method of that name is not cold";
      else if (group.length > 1 && group.some((g) => !ctors.has(g.cls))) why = "a class sharing the name has no constructor to tag";
      else if (refs.some((r) => !ts.isPropertyAccessExpression(r) || !isCallee(r) || ts.isNewExpression(r.parent))) why = "named other than in a call";
      else if (refs.some((r) => !plainReceiver((r as ts.PropertyAccessExpression).expression))) why = "called on a receiver that makes a call";
    }
    if (why) kept.push({ key: u.key, why });
    else if (u.kind === "fn" || (wantedNamed.get(u.name) ?? []).length === 1) entries.push([u]);
    else if (!grouped.has(u.name)) {
      grouped.add(u.name);
      entries.push(wantedNamed.get(u.name) as Unit[]);
    }
  }
  if (entries.length === 0) return { code: es5, moved: [], kept };
  const moving = entries.flat();

  // Each class with a method in a shared-name entry gets a tag on its prototype, the index of its
  // method in the entry.
  const tags = new Map<string, number>();
  for (const e of entries) if (e.length > 1) for (const u of e) if (!tags.has(u.cls)) tags.set(u.cls, tags.size);
  type Edit = { start: number; end: number; text: string };
  const edits: Edit[] = [];
  entries.forEach((e, k) => {
    const u = e[0];
    if (u.kind === "fn") {
      for (const r of idents.get(u.name) ?? []) edits.push({ start: r.getStart(file), end: r.getEnd(), text: `${COLD}(${k})` });
      return;
    }
    for (const r of props.get(u.name) ?? []) {
      const access = r as ts.PropertyAccessExpression;
      if (e.some((g) => access.parent === (g.node as ts.ExpressionStatement).expression)) continue;
      const call = access.parent as ts.CallExpression;
      const receiver = access.expression.getText(file);
      const fn = e.length > 1 ? `${COLD}(${k})[${receiver}.${TAG}]` : `${COLD}(${k})`;
      const open = call.arguments.pos; // just after "("
      edits.push({ start: access.getStart(file), end: open, text: `${fn}.call(${receiver}${call.arguments.length > 0 ? ", " : ""}` });
    }
  });
  // Moved functions take the edits inside them along; their statements leave the top level.
  const apply = (text: string, from: number, list: Edit[]): string => {
    let out = text;
    for (const e of [...list].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start - from) + e.text + out.slice(e.end - from);
    return out;
  };
  const text = (u: Unit): string => {
    const start = u.fn.getStart(file);
    const end = u.fn.getEnd();
    return apply(es5.slice(start, end), start, edits.filter((e) => e.start >= start && e.end <= end));
  };
  const bankItems = entries.map((e) => {
    if (e.length === 1) return text(e[0]);
    const row: string[] = [];
    for (const u of e) row[tags.get(u.cls) as number] = text(u);
    return "[" + Array.from(row, (t) => t ?? "null").join(",\n") + "]";
  });
  const outside = edits.filter((e) => !moving.some((u) => e.start >= u.node.getStart(file) && e.end <= u.node.getEnd()));
  for (const u of moving) outside.push({ start: u.node.getStart(file), end: u.node.getEnd(), text: "" });
  for (const [cls, tag] of tags) {
    const at = (ctors.get(cls) as ts.FunctionDeclaration).getEnd();
    outside.push({ start: at, end: at, text: `\n${cls}.prototype.${TAG} = ${tag};` });
  }
  const runtime =
    `var ${BANK} = null, ${USED} = false;\n` +
    `function ${IDLE}() { if (${USED}) { ${USED} = false; setTimeout(${IDLE}, ${IDLE_MS}); } else ${BANK} = null; }\n` +
    `function ${COLD}(k) { if (${BANK} === null) { ${BANK} = ${MAKE}(); setTimeout(${IDLE}, ${IDLE_MS}); } ${USED} = true; return ${BANK}[k]; }\n` +
    `function ${MAKE}() { return [\n${bankItems.join(",\n")}\n]; }\n`;
  // The runtime goes first: top-level code may already call a moved function, and the interpreter
  // does not hoist function declarations.
  outside.push({ start: body.statements[0].getStart(file), end: body.statements[0].getStart(file), text: runtime });
  return { code: apply(es5, 0, outside), moved: moving.map((u) => u.key), kept };
}
