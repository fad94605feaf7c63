// Runs the board's bundle as the script itself instead of inside its wrapping function. On the interpreter a
// function keeps a link to every scope it was made in, one JsVar a function for the wrapper's scope; at
// the top level there is none. Every name the wrapper declared becomes a global, so each gets a prefix
// (`$`, or for a name whose `$` form the bundle already uses, the first of `$$`, `$_`, `_$` free): a name
// typed at the console (`i`, `t`, `D5`) then cannot replace one of the firmware's functions, and none can
// hide a pin or one of Espruino's globals. The prefix is chosen name by name: the minifier may name a local
// `$e`, and moving every global to `$$` for it would cost a byte at each of ~1,400 uses.
import ts from "typescript";
import { iifeBody } from "./bundle-ast";

export interface TopLevel {
  code: string;
  /** The names that became globals, as written in the result. */
  names: string[];
}

const PREFIXES = ["$", "$$", "$_", "_$"];

/** hoistToTopLevel(code) -> the body of the `(function(){...})();` code is, its names prefixed. Throws on other code. */
export function hoistToTopLevel(code: string): TopLevel {
  const fileName = "bundle.js";
  const file = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const body = iifeBody(file);
  if (!body) throw new Error("top-level: the bundle is not one (function(){...})(); statement");
  const host: ts.CompilerHost = {
    getSourceFile: (n) => (n === fileName ? file : undefined),
    getDefaultLibFileName: () => "lib.d.ts",
    writeFile: () => {},
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (n) => n,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (n) => n === fileName,
    readFile: () => undefined,
  };
  const checker = ts.createProgram([fileName], { allowJs: true, noLib: true, noResolve: true }, host).getTypeChecker();

  // The wrapper's own names: each var or function declaration whose nearest enclosing function is the
  // wrapper (a catch's variable and a function expression's name belong to narrower scopes).
  const mine = new Set<ts.Symbol>();
  const declare = (n: ts.Node): void => {
    if ((ts.isVariableDeclaration(n) && !ts.isCatchClause(n.parent)) || ts.isFunctionDeclaration(n)) {
      const s = n.name && ts.isIdentifier(n.name) ? checker.getSymbolAtLocation(n.name) : undefined;
      if (!s) throw new Error(`top-level: no symbol for the declaration at ${n.getStart(file)}`);
      mine.add(s);
    }
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, declare);
  };
  body.statements.forEach(declare);
  const uses: ts.Identifier[] = [];
  const all = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isIdentifier(n)) {
      all.add(n.text);
      const s = checker.getSymbolAtLocation(n);
      if (s && mine.has(s)) uses.push(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  const declared = new Set([...mine].map((s) => s.name));
  // A new name must meet no identifier anywhere in the bundle (a local of that name would hide it) nor
  // another new name.
  const taken = new Set(all);
  const prefixOf = new Map<string, string>();
  for (const name of declared) {
    const p = PREFIXES.find((x) => !taken.has(x + name));
    if (p === undefined) throw new Error(`top-level: every prefix of ${name} meets a name the bundle already uses`);
    prefixOf.set(name, p);
    taken.add(p + name);
  }

  const start = body.getStart(file) + 1;
  const end = body.end - 1;
  let out = "";
  let at = start;
  // forEachChild walks the source in order, so the uses come in order.
  for (const id of uses) {
    out += code.slice(at, id.getStart(file)) + prefixOf.get(id.text);
    at = id.getStart(file);
  }
  // The body's last statement may lack its semicolon (the minifier drops one before "}"): without it, a
  // script appended to the firmware that starts with "(" would call the firmware's last value.
  out += code.slice(at, end) + ";";
  return { code: out + "\n", names: [...declared].map((name) => prefixOf.get(name) + name).sort() };
}
