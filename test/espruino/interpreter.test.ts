// The codec and the client inside the real Espruino interpreter. The binary is not part of this
// project: build Espruino for Linux elsewhere and point ESPRUINO_BIN at it; without it this suite
// says it skipped.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFirmware } from "../../sim/build/bundle";
import { checkEspruino } from "../../sim/build/espruino-check";
import { loadVectors, fromHex } from "../helpers/vectors";
import { Decoder } from "../../firmware/mqtt/decoder";

const BIN = process.env.ESPRUINO_BIN;

// What Node's run of the same decoder says of each vector: 0 for a valid packet, else its error code.
function cases() {
  const v = loadVectors();
  const all = [...v.valid.map((x) => ({ name: x.name, hex: x.hex })), ...v.malformed.map((x) => ({ name: x.name, hex: x.hex }))];
  return all.map((c) => {
    let code = 0;
    const d = new Decoder(1024, { onPacket() {}, onDecodeError(e) { if (code === 0) code = e; } });
    const b = fromHex(c.hex);
    d.feed(b, 0, b.length);
    return { name: c.name, hex: c.hex.toUpperCase(), code };
  });
}

async function selftestBundle(): Promise<string> {
  return bundleFirmware({
    entry: "test/espruino/selftest-entry.ts",
    define: { __CASES__: JSON.stringify(JSON.stringify(cases())) },
    // Unminified, the source text alone fills most of the 16,383 JsVars of an ESP32-sized build.
    minify: true,
  });
}

describe("Espruino interpreter self-test", () => {
  it("the self-test bundle passes the compatibility check", async () => {
    expect(checkEspruino(await selftestBundle())).toEqual([]);
  });

  it.skipIf(!BIN)("codec and client agree with Node inside Espruino (ESPRUINO_BIN)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-espruino-"));
    const file = join(dir, "selftest.js");
    writeFileSync(file, await selftestBundle());
    const r = spawnSync(BIN!, [file], { encoding: "utf8", timeout: 120000, input: "" });
    const lines = (r.stdout + r.stderr).split("\n").filter((l) => l.startsWith("SELFTEST"));
    for (const l of lines.filter((l) => l.startsWith("SELFTEST info") || l.startsWith("SELFTEST FAIL"))) console.log(l);
    const done = lines.find((l) => l.startsWith("SELFTEST DONE"));
    expect(lines.filter((l) => l.startsWith("SELFTEST FAIL"))).toEqual([]);
    expect(done).toMatch(/pass=\d+ fail=0/);
    expect(Number(/pass=(\d+)/.exec(done!)![1])).toBeGreaterThan(80);
  }, 150000);

  if (!BIN) {
    it("reports that the interpreter run was skipped", () => {
      console.warn("SKIPPED: Espruino interpreter self-test; set ESPRUINO_BIN to an Espruino Linux build to run it");
      expect(BIN).toBeUndefined();
    });
  }
});
