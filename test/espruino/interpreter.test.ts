// The codec and the client inside the real Espruino interpreter. The binary is not part of this
// project: build Espruino for Linux elsewhere and point ESPRUINO_BIN at it; without it this suite
// says it skipped.
import { describe, it, expect } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFirmware } from "../../sim/build/bundle";
import { checkEspruino } from "../../sim/build/espruino-check";
import { runScript } from "../support/espruino-boot";
import { loadVectors, fromHex } from "../helpers/vectors";
import { Decoder } from "../../firmware/mqtt/decoder";
import { topicMatches } from "../../firmware/mqtt/topic";
import { utf8Bytes } from "../../firmware/mqtt/utf8";
import { parseCommand } from "../../firmware/device/command";
import { MATCHES } from "../mqtt/topic-cases";

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

const latin1 = (s: string) => Buffer.from(utf8Bytes(s)).toString("latin1");

// Filter/topic pairs with Node's byte matcher's verdict (the script runs from RAM here: a full cross
// product of the table would not fit 16,383 JsVars).
function matchCases(): [string, string, boolean][] {
  return MATCHES.map(([f, t]) => {
    const fb = utf8Bytes(f);
    const tb = utf8Bytes(t);
    return [latin1(f), latin1(t), topicMatches(tb, 0, tb.length, fb, 0, fb.length)];
  });
}

function commandCases(): [string, number][] {
  const words = ["ON", "on", " off\r\n", "\tToGgLe ", "1", "0", "", "ONN", "O N", "constructor", "__proto__", "toString", "\u00d6N",
    // The interpreter's trim() drops vertical tab and form feed, which the byte reading keeps.
    "ON\v", "\fOFF", "\u000btoggle"].map(utf8Bytes);
  // A raw no-break space (0xA0), as a binary payload carries it.
  words.push(Uint8Array.of(0x4f, 0x4e, 0xa0), Uint8Array.of(0xa0, 0x31));
  return words.map((b) => [Buffer.from(b).toString("latin1"), parseCommand(b, 0, b.length)]);
}

async function selftestBundle(): Promise<string> {
  return bundleFirmware({
    entry: "test/espruino/selftest-entry.ts",
    define: {
      __CASES__: JSON.stringify(JSON.stringify(cases())),
      __MATCHES__: JSON.stringify(JSON.stringify(matchCases())),
      __COMMANDS__: JSON.stringify(JSON.stringify(commandCases())),
    },
    // Unminified, the source text alone fills most of the 16,383 JsVars of an ESP32-sized build.
    minify: true,
  });
}

describe("Espruino interpreter self-test", () => {
  it("the self-test bundle passes the compatibility check", async () => {
    expect(checkEspruino(await selftestBundle())).toEqual([]);
  });

  it.skipIf(!BIN)("codec and client agree with Node inside Espruino (needs ESPRUINO_BIN, an Espruino Linux build)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-espruino-"));
    const file = join(dir, "selftest.js");
    writeFileSync(file, await selftestBundle());
    const out = await runScript(BIN!, [file], dir, /SELFTEST DONE[^\n]*\n/, 120000);
    const lines = out.split(/\r?\n/).map((l) => l.replace(/^[^S]*(?=SELFTEST)/, "")).filter((l) => l.startsWith("SELFTEST"));
    for (const l of lines.filter((l) => l.startsWith("SELFTEST info") || l.startsWith("SELFTEST FAIL"))) console.log(l);
    const done = lines.find((l) => l.startsWith("SELFTEST DONE"));
    expect(lines.filter((l) => l.startsWith("SELFTEST FAIL"))).toEqual([]);
    expect(done).toMatch(/pass=\d+ fail=0/);
    expect(Number(/pass=(\d+)/.exec(done!)![1])).toBeGreaterThan(80 + matchCases().length + commandCases().length);
  }, 150000);
});
