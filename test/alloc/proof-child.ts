// Child process of harness.test.ts: three operations the allocation harness must judge right. `clean`
// allocates nothing; `every64` keeps one small object every 64th call (what a GC-event count misses);
// `literal` makes an object per call that never escapes, which TurboFan's escape analysis removes (the
// interpreter on the board would allocate it). Run: node --expose-gc --import tsx test/alloc/proof-child.ts
import { measurePhases, printReport } from "../support/alloc-harness";

const OPS = 64_000;
const state = { sum: 0, kept: null as null | { i: number } };

function clean(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i * 3) & 0xffff;
  state.sum = s;
  return s;
}

function every64(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    if ((i & 63) === 0) state.kept = { i };
    s = (s + i * 3) & 0xffff;
  }
  state.sum = s;
  return s;
}

function literal(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const o = { a: i, b: i * 2 };
    s = (s + o.a + o.b) & 0xffff;
  }
  state.sum = s;
  return s;
}

measurePhases([
  { name: "clean", ops: OPS, run: clean },
  { name: "every64", ops: OPS, run: every64 },
  { name: "literal", ops: OPS, run: literal },
]).then(printReport, (e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
