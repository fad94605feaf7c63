// Frees the code that only the board's start-up runs. On the interpreter every function costs JsVars for as
// long as something holds it (about six, plus one a parameter: docs/espruino.md), though its text stays in
// flash; after start-up about half the firmware's functions (constructors, topic and discovery set-up, the
// start-up itself) would never run again, yet they held a third of the running firmware's JsVars.
// The firmware marks the end of its start-up with a call to releaseBootCode() (firmware/espruino/boot-code.ts),
// the last statement of the function that starts the board: that function is never called again once it has
// got there. This pass proves, from the bundle alone, which other functions only that start-up can call, and
// puts in place of the marker the statements that let them go: `delete C.prototype.m` for methods,
// `F = void 0` for functions and constructors (with `delete F.prototype.constructor`, which would hold them).
// A function is start-up only when every place that names it is a plain call (`f(...)`, `x.f(...)`,
// `new F(...)`) made directly in start-up-only code, or in the bundle's own top-level statements before the
// start-up is called. Any other use (passed as a value, named inside a callback, a string, an object key, a
// method name another class shares with a function that stays) keeps it.
import ts from "typescript";
import { addTo, iifeBody, isCallee, isPropertyName, methodOf, propertyNameAt } from "./bundle-ast";

/** The marker's name: firmware/espruino/boot-code.ts. */
export const BOOT_MARKER = "releaseBootCode";

type Unit = { key: string; fn: ts.FunctionLikeDeclaration; kind: "fn" | "method"; name: string; cls: string };

/**
 * releaseBootCode(es5) -> es5 with the marker call replaced by statements freeing every start-up-only function
 * (see above), and the list of what is freed; es5 unchanged when it has no marker. Throws when the marker is
 * not the last statement of a top-level function.
 */
export function releaseBootCode(es5: string): { code: string; released: string[] } {
  const file = ts.createSourceFile("firmware.js", es5, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const body = iifeBody(file);
  if (body === null) return { code: es5, released: [] };
  const units = new Map<ts.Node, Unit>();
  const fns = new Map<string, Unit>();
  const methods = new Map<string, Unit[]>();
  const classes = new Set<string>();
  let markerDecl: ts.FunctionDeclaration | null = null;
  for (const s of body.statements) {
    if (ts.isFunctionDeclaration(s) && s.name && s.body) {
      if (s.name.text === BOOT_MARKER) {
        markerDecl = s;
        continue;
      }
      const u: Unit = { key: s.name.text, fn: s, kind: "fn", name: s.name.text, cls: "" };
      units.set(s, u);
      fns.set(u.name, u);
      continue;
    }
    const m = methodOf(s);
    if (m !== null) {
      const u: Unit = { key: m.cls + ".prototype." + m.name, fn: m.fn, kind: "method", name: m.name, cls: m.cls };
      units.set(m.fn, u);
      addTo(methods, m.name, u);
      classes.add(m.cls);
    }
  }
  if (markerDecl === null) return { code: es5, released: [] };

  // Every place a name is written: what it names, whether it is a call, and the function it is made in
  // (a unit, or null for code the bundle runs at load, or "other" inside any other function).
  type Ref = { ident: boolean; name: string; call: boolean; ctx: Unit | null | "other"; pos: number };
  const refs: Ref[] = [];
  let marker: ts.CallExpression | null = null;
  let root: Unit | null = null;
  const visit = (n: ts.Node, ctx: Unit | null | "other"): void => {
    if (n === markerDecl) return;
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) {
      const u = units.get(n);
      const inner: Unit | "other" = u ?? "other";
      // A top-level function's own name and a method's definition are no uses.
      if (n.name && !(u && u.kind === "fn")) refs.push({ ident: true, name: n.name.text, call: false, ctx, pos: n.pos });
      for (const p of n.parameters) visit(p, inner);
      if (n.body) visit(n.body, inner);
      return;
    }
    if (ts.isExpressionStatement(n) && n.parent === body) {
      const m = methodOf(n);
      if (m !== null) {
        visit(m.fn, null);
        return;
      }
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === BOOT_MARKER) {
      if (marker !== null || ctx === null || ctx === "other" || ctx.kind !== "fn") throw new Error(`${BOOT_MARKER}() must be called once, in a top-level function`);
      const stmts = (ctx.fn.body as ts.Block).statements;
      const last = stmts[stmts.length - 1];
      // esbuild joins trailing expression statements with commas: `a(), releaseBootCode();`.
      let tail: ts.Expression | null = last && ts.isExpressionStatement(last) ? last.expression : null;
      while (tail && ts.isBinaryExpression(tail) && tail.operatorToken.kind === ts.SyntaxKind.CommaToken) tail = tail.right;
      if (tail !== n) throw new Error(`${BOOT_MARKER}() must be the last statement of ${ctx.name}`);
      marker = n;
      root = ctx;
      return;
    }
    if (ts.isIdentifier(n)) {
      // `C.prototype` in a top-level statement defines the class; anywhere else it is a use of C.
      const p = n.parent;
      const protoDef = ctx === null && ts.isPropertyAccessExpression(p) && p.expression === n && p.name.text === "prototype";
      if (!protoDef && !isPropertyName(n)) refs.push({ ident: true, name: n.text, call: isCallee(n), ctx, pos: n.pos });
    }
    // A string may name a property (`o["m"]`); a variable only code names (the bundle has no eval).
    const prop = propertyNameAt(n);
    if (prop !== null) refs.push({ ident: false, name: prop, call: ts.isPropertyAccessExpression(n) && isCallee(n), ctx, pos: n.pos });
    ts.forEachChild(n, (c) => visit(c, ctx));
  };
  for (const s of body.statements) visit(s, null);
  if (marker === null || root === null) return { code: es5, released: [] };
  const bootRoot: Unit = root;
  // The statement that starts the board: top-level code after it runs once start-up code is gone.
  let rootCall = Infinity;
  for (const r of refs) if (r.ident && r.name === bootRoot.name && r.call && r.ctx === null) rootCall = Math.min(rootCall, r.pos);

  const byName = new Map<string, Ref[]>();
  for (const r of refs) addTo(byName, (r.ident ? "i:" : "p:") + r.name, r);
  const boot = new Set<Unit>([bootRoot]);
  const onlyBootCalls = (k: string): boolean => {
    const rs = byName.get(k) ?? [];
    return rs.length > 0 && rs.every((r) => r.call && (r.ctx === null ? r.pos < rootCall : r.ctx !== "other" && boot.has(r.ctx)));
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const u of fns.values()) {
      if (!boot.has(u) && onlyBootCalls("i:" + u.name)) {
        boot.add(u);
        grew = true;
      }
    }
    for (const [name, group] of methods) {
      if (!boot.has(group[0]) && !fns.has(name) && onlyBootCalls("p:" + name)) {
        for (const u of group) boot.add(u);
        grew = true;
      }
    }
  }

  // Top-level variables only start-up code reads or writes (the board's parsed configuration, start-up
  // state) are let go too.
  const vars: string[] = [];
  for (const st of body.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || fns.has(d.name.text)) continue;
      const rs = (byName.get("i:" + d.name.text) ?? []).filter((r) => r.pos !== d.name.pos);
      if (rs.every((r) => (r.ctx === null ? r.pos < rootCall : r.ctx !== "other" && boot.has(r.ctx)))) vars.push(d.name.text);
    }
  }
  const released = [...[...boot].map((u) => u.key), ...vars].sort();
  const parts: string[] = [];
  const cleared: string[] = [];
  for (const u of boot) {
    if (u.kind === "method") parts.push(`delete ${u.cls}.prototype.${u.name}`);
    else {
      if (classes.has(u.name)) parts.push(`delete ${u.name}.prototype.constructor`);
      cleared.push(u.name);
    }
  }
  parts.push([...cleared, ...vars].join(" = ") + " = void 0");
  const edits = [
    { start: markerDecl.getStart(file), end: markerDecl.getEnd(), text: "" },
    { start: (marker as ts.CallExpression).getStart(file), end: (marker as ts.CallExpression).getEnd(), text: "(" + parts.join(", ") + ")" },
  ].sort((a, b) => b.start - a.start);
  let code = es5;
  for (const e of edits) code = code.slice(0, e.start) + e.text + code.slice(e.end);
  return { code, released };
}
