// Drops the methods nothing in the bundle calls. esbuild shakes out unused functions but never a class's
// methods, and on the interpreter each method costs JsVars from load (about five plus one a parameter)
// whether or not it ever runs: methods only the simulator or the tests call, or that only a feature the
// board's build leaves out reached (build-flags.d.ts), are dead weight on the board.
// The caller says which names are candidates: those shortened by mangle.ts, which nothing outside the
// bundle can know, or, for a bundle whose objects nothing outside it touches (the board's firmware), every
// name. A candidate written nowhere else in the bundle is a method no code can call.
import ts from "typescript";
import { methodOf, propertyNameAt } from "./bundle-ast";

// How often each name is written as a property (access, object key) or a string in the file.
function propertyUses(file: ts.SourceFile): Map<string, number> {
  const uses = new Map<string, number>();
  const add = (n: string) => uses.set(n, (uses.get(n) ?? 0) + 1);
  const visit = (n: ts.Node): void => {
    const name = propertyNameAt(n);
    if (name !== null) add(name);
    ts.forEachChild(n, visit);
  };
  visit(file);
  return uses;
}

/**
 * removeDeadMethods(es5, candidate) -> es5 without the prototype methods whose name is a candidate and
 * appears nowhere else in the file; repeated until none is left, as a dropped method may have been the
 * only caller of another.
 */
export function removeDeadMethods(es5: string, candidate: (name: string) => boolean): string {
  let out = es5;
  for (;;) {
    const file = ts.createSourceFile("firmware.js", out, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
    const uses = propertyUses(file);
    const dead: ts.Statement[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isBlock(n) || ts.isSourceFile(n)) {
        for (const s of n.statements) {
          const name = methodOf(s)?.name ?? null;
          if (name !== null && candidate(name) && uses.get(name) === 1) dead.push(s);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
    if (dead.length === 0) return out;
    for (const s of dead.reverse()) out = out.slice(0, s.getStart(file)) + out.slice(s.getEnd());
  }
}
