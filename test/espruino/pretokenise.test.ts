// npm run flash stores the firmware pretokenised (sim/build/pretokenise.ts). Here the interpreter's own
// tokeniser (E.setFlags({pretokenise:1}), which tokenises each function as it is defined) writes every
// outermost function of the board's bundle, and each must come out byte for byte as ours writes its body.
// Needs ESPRUINO_BIN (an Espruino Linux build); without it this suite says it skipped.
import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as acorn from "acorn";
import { bundleBoard } from "../../sim/build/bundle";
import { pretokenise, tokenCode } from "../../sim/build/pretokenise";
import { boardConfig } from "../device/harness";
import { runScript, uploadScript } from "../support/espruino-boot";

const BIN = process.env.ESPRUINO_BIN;

type Node = acorn.Node & Record<string, any>;

// The functions no other function holds, in source order.
function outermost(node: Node, found: Node[]): Node[] {
  if (node.type === "FunctionExpression" || node.type === "FunctionDeclaration") {
    found.push(node);
    return found;
  }
  for (const v of Object.values(node)) {
    for (const c of Array.isArray(v) ? v : [v]) if (c && typeof c.type === "string") outermost(c, found);
  }
  return found;
}

// Defines each function in turn from the file "fns" (its length in L) and prints its stored code.
const DRIVER = (lengths: number[]) => `
E.setFlags({pretokenise: 1});
var S = require("Storage"), L = ${JSON.stringify(lengths)}, o = 0;
for (var i = 0; i < L.length; i++) {
  var f = eval("(" + S.read("fns", o, L[i]) + ")"), c = f["\\xFFcod"];
  o += L[i];
  console.log("TOK " + i + " " + btoa(c ? E.toString(c) : ""));
}
console.log("TOK done");
`;

describe("pretokenise against the Espruino interpreter's own tokeniser", () => {
  it.skipIf(!BIN)("every outermost function of the board's bundle: the same bytes (needs ESPRUINO_BIN)", async () => {
    const src = await bundleBoard(boardConfig());
    const fns = outermost(acorn.parse(src, { ecmaVersion: 5 }) as Node, []);
    expect(fns.length).toBeGreaterThan(50);
    const dir = mkdtempSync(join(tmpdir(), "relaymq-pretok-"));
    try {
      const texts = fns.map((f) => src.slice(f.start, f.end));
      writeFileSync(join(dir, "upload.js"), uploadScript(DRIVER(texts.map((t) => t.length)), { fns: texts.join("") }));
      const out = await runScript(BIN!, ["upload.js"], dir, /TOK done/, 60000);
      const theirs = new Map<number, string>();
      for (const m of out.matchAll(/^TOK (\d+) (\S*)\r?$/gm)) theirs.set(Number(m[1]), Buffer.from(m[2], "base64").toString("latin1"));
      expect(theirs.size, out.slice(-2000)).toBe(fns.length);
      let bytes = 0;
      fns.forEach((f, i) => {
        const body = src.slice(f.body.start + 1, f.body.end - 1);
        let ours = body === "" ? "" : pretokenise(body).toString("latin1");
        // A body that starts with `return` is kept without it (jsparse.c: JSV_FUNCTION_RETURN).
        if (ours.charCodeAt(0) === tokenCode("return")) ours = ours.slice(1);
        expect(JSON.stringify(ours), `function ${i} at ${f.start}: ${body.slice(0, 80)}`).toBe(JSON.stringify(theirs.get(i)));
        bytes += ours.length;
      });
      // Most of the bundle was compared.
      expect(bytes).toBeGreaterThan(pretokenise(src).length * 0.8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
});
