// Unwraps the IIFE TypeScript puts around every class it lowers to ES5:
//   var a = 1, C = (function () { function C2(x) {...} C2.prototype.m = function () {...}; return C2; }());
// becomes the same statements one scope up, in the same order:
//   var a = 1; function C2(x) {...} C2.prototype.m = function () {...}; var C = C2;
// On the interpreter a function keeps every scope it was made in: one made two scopes deep carries an
// array of both and costs ~9 JsVars, against ~6 one scope deep (measured in 2v29), so every method and
// every closure made in a constructor pays for the wrapper. TypeScript names the inner function so that
// it collides with nothing in the file, so it can live one scope up.
import ts from "typescript";

// The class wrapper's statements and inner name, or null: an argument-less function expression called at
// once, whose body is `function N` first, expression statements, and `return N` last.
function wrapper(decl: ts.VariableDeclaration): { body: ts.Statement[]; name: string } | null {
  if (!ts.isIdentifier(decl.name) || decl.initializer === undefined) return null;
  let e: ts.Expression = decl.initializer;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (!ts.isCallExpression(e) || e.arguments.length > 0) return null;
  let fn: ts.Expression = e.expression;
  while (ts.isParenthesizedExpression(fn)) fn = fn.expression;
  if (!ts.isFunctionExpression(fn) || fn.parameters.length > 0 || fn.name !== undefined) return null;
  const body = fn.body.statements;
  const first = body[0];
  const last = body[body.length - 1];
  if (body.length < 2 || !first || !ts.isFunctionDeclaration(first) || first.name === undefined) return null;
  const name = first.name.text;
  if (!ts.isReturnStatement(last) || !last.expression || !ts.isIdentifier(last.expression) || last.expression.text !== name) return null;
  // A declaration of anything but the class's own function inside would leak into the outer scope.
  for (const s of body.slice(1, -1)) if (!ts.isExpressionStatement(s)) return null;
  return { body: body.slice(0, -1), name };
}

/** flattenClasses(es5) -> es5 with every TypeScript class wrapper unwrapped (see above). */
export function flattenClasses(es5: string): string {
  const file = ts.createSourceFile("firmware.js", es5, ts.ScriptTarget.ES5, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    // Only statements of a statement list: a `for (var ...)` head cannot take statements.
    if (ts.isVariableStatement(node) && (ts.isBlock(node.parent) || ts.isSourceFile(node.parent))) {
      const decls = node.declarationList.declarations;
      const found = decls.map(wrapper);
      if (found.some((w) => w !== null)) {
        const parts: string[] = [];
        let plain: string[] = [];
        const flush = () => {
          if (plain.length > 0) parts.push("var " + plain.join(", ") + ";");
          plain = [];
        };
        decls.forEach((d, i) => {
          const w = found[i];
          if (w === null) {
            plain.push(d.getText(file));
            return;
          }
          flush();
          parts.push(...w.body.map((s) => s.getText(file)));
          const v = (d.name as ts.Identifier).text;
          if (v !== w.name) parts.push(`var ${v} = ${w.name};`);
        });
        flush();
        edits.push({ start: node.getStart(file), end: node.getEnd(), text: parts.join("\n") });
        // Wrappers nested in a class body (none today) stay as they are.
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = es5;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
