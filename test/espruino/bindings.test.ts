// The Espruino bindings of the seams (firmware/espruino: pins, timers, storage, system, WiFi manager, a
// failed connect of the net transport) inside the real interpreter. Like interpreter.test.ts, the run
// needs ESPRUINO_BIN (an Espruino Linux build); without it the suite says it skipped. The build keeps its fake flash in espruino.flash in its
// working directory, so each run gets a fresh temporary one.
import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFirmware, errorNames } from "../../sim/build/bundle";
import { checkEspruino } from "../../sim/build/espruino-check";
import { runScript } from "../support/espruino-boot";

const BIN = process.env.ESPRUINO_BIN;

function bindingsBundle(): Promise<string> {
  return bundleFirmware({
    entry: "test/espruino/bindings-entry.ts", minify: true, define: { __ERROR_NAMES__: JSON.stringify(errorNames()) },
  });
}

describe("Espruino bindings in the interpreter", () => {
  it("the bindings bundle passes the compatibility check", async () => {
    expect(checkEspruino(await bindingsBundle())).toEqual([]);
  });

  it.skipIf(!BIN)("pins, timers, storage, system, WiFi and a failed connect behave on Espruino (needs ESPRUINO_BIN, an Espruino Linux build)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-bindings-"));
    try {
      const file = join(dir, "bindings.js");
      writeFileSync(file, await bindingsBundle());
      const out = await runScript(BIN!, [file], dir, /BINDINGS DONE[^\n]*\n/, 30000);
      const lines = out.split(/\r?\n/).filter((l) => l.indexOf("BINDINGS") >= 0);
      const failed = lines.filter((l) => l.indexOf("BINDINGS FAIL") >= 0);
      expect(failed).toEqual([]);
      const done = lines.find((l) => l.indexOf("BINDINGS DONE") >= 0);
      expect(done, out.slice(-2000)).toMatch(/pass=\d+ fail=0/);
      for (const l of lines.filter((x) => x.indexOf("BINDINGS info") >= 0)) console.log(l);
      expect(Number(/pass=(\d+)/.exec(done!)![1])).toBeGreaterThanOrEqual(28);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40000);
});
