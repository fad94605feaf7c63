// What the build's passes over the ES5 bundle share: the bundle is one IIFE whose body holds the
// firmware's functions, its classes' `C.prototype.m = function ...` statements and its top-level code.
import ts from "typescript";

/** iifeBody(file) -> the body of the `(function () { ... })();` the whole file is, or null. */
export function iifeBody(file: ts.SourceFile): ts.Block | null {
  const s = file.statements[0];
  if (file.statements.length !== 1 || !s || !ts.isExpressionStatement(s)) return null;
  let e: ts.Expression = s.expression;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (!ts.isCallExpression(e)) return null;
  let f: ts.Expression = e.expression;
  while (ts.isParenthesizedExpression(f)) f = f.expression;
  return ts.isFunctionExpression(f) ? f.body : null;
}

/** methodOf(s) -> { cls, name, fn } for `cls.prototype.name = function ...;`, else null. */
export function methodOf(s: ts.Statement): { cls: string; name: string; fn: ts.FunctionExpression } | null {
  if (!ts.isExpressionStatement(s) || !ts.isBinaryExpression(s.expression)) return null;
  const e = s.expression;
  if (e.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isFunctionExpression(e.right)) return null;
  const l = e.left;
  if (!ts.isPropertyAccessExpression(l) || !ts.isPropertyAccessExpression(l.expression)) return null;
  const p = l.expression;
  if (p.name.text !== "prototype" || !ts.isIdentifier(p.expression)) return null;
  return { cls: p.expression.text, name: l.name.text, fn: e.right };
}

/** isCallee(n) -> whether n is what a call or `new` calls: `n(...)`, `new n(...)`. */
export function isCallee(n: ts.Node): boolean {
  const p = n.parent;
  return (ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === n;
}

/**
 * propertyNameAt(n) -> the property name n writes: an access's name (`x.m`), an object key, or a string
 * (which may be a computed key, `x["m"]`); else null. A string key is its own string node.
 */
export function propertyNameAt(n: ts.Node): string | null {
  if (ts.isPropertyAccessExpression(n)) return n.name.text;
  if ((ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n) || ts.isMethodDeclaration(n)) && ts.isIdentifier(n.name)) return n.name.text;
  if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) return n.text;
  return null;
}

/** isPropertyName(id) -> whether id is the name part of an access or a key, not a variable. */
export function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  return (ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p)) && p.name === id;
}

/** addTo(map, key, value): appends value to map's list for key. */
export function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
