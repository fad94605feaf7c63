// The built firmware in the real interpreter keeps its seldom-run code out of the heap
// (sim/build/cold-code.ts): at rest the cold bank is gone, relay commands and their PUBACKs never make it,
// a console command does, and a second after it the heap is back where it was. Over the fake socket of
// the benchmark, so the memory figures are the firmware's alone. Needs ESPRUINO_BIN (an Espruino Linux
// build); without it this suite says it skipped.
import { describe, it, expect } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "../../sim/cli/build";
import { FAKE_NET, WIFI_STUB, runScript, uploadScript } from "../support/espruino-boot";

const BIN = process.env.ESPRUINO_BIN;
const SET = "devices/esp32-01/relay/pump/set";
const STATUS = "devices/esp32-01/cmd/status";

// Brings the session up, acknowledges the boot burst, then reads the JsVars in use at each step.
const DRIVER = `
var C = String.fromCharCode, seen = [];
function pub(t, word, id) { return "\\x32" + C(4 + t.length + word.length) + "\\x00" + C(t.length) + t + "\\x00" + C(id) + word; }
function pubId(s) { if ((s.charCodeAt(0) & 0xf6) !== 0x32) return -1; var i = 2 + ((s.charCodeAt(1) & 0x80) ? 1 : 0); return i + 2 + (s.charCodeAt(i) << 8 | s.charCodeAt(i + 1)); }
function ackAll() {
  while (seen.length > 0) {
    var s = seen.shift(), i = pubId(s);
    if (s.charCodeAt(0) === 0x82) { var codes = "", k = 4; while (k < s.length) { var n = s.charCodeAt(k) << 8 | s.charCodeAt(k + 1); codes += s.charAt(k + 2 + n); k += 3 + n; } FS.h.data("\\x90" + C(2 + codes.length) + s.substr(2, 2) + codes); }
    if (i >= 0) FS.h.data("\\x40\\x02" + s.substr(i, 2));
  }
}
function use(tag) { console.log("COLD " + tag + "=" + process.memory().usage); }
FS.write = function (d) { this.n++; this.last = d; seen.push(d); };
setTimeout(function () {
  FS.cb(); FS.h.data("\\x20\\x02\\x00\\x00");
  for (var r = 0; r < 50 && seen.length > 0; r++) ackAll();
  setTimeout(function () {
    use("rest");
    for (var j = 1; j <= 20; j++) { FS.h.data(pub(${JSON.stringify(SET)}, j & 1 ? "ON" : "OFF", j)); ackAll(); }
    use("commands");
    var before = FS.n;
    FS.h.data(pub(${JSON.stringify(STATUS)}, "", 99)); ackAll();
    use("console");
    console.log("COLD replied=" + (FS.n - before));
    setTimeout(function () { use("after"); console.log("COLD done"); }, 2500);
  }, 2500);
}, 300);
`;

describe("the cold bank in the Espruino interpreter", () => {
  it.skipIf(!BIN)("is gone at rest, untouched by relay commands, made by a console command and gone a second later (needs ESPRUINO_BIN)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-cold-"));
    try {
      const board = JSON.parse(readFileSync("board.json", "utf8"));
      board.mqtt.host = "127.0.0.1";
      board.wifi.password = "cold-bank";
      board.mqtt.password = "cold-bank";
      // The Linux build has no ADC and no pins above D32.
      board.sensors = board.sensors.filter((s: { type: string }) => s.type !== "analog");
      for (const x of [...board.relays, ...board.sensors]) if (Number(x.pin.slice(1)) > 32) x.pin = "D23";
      writeFileSync(join(dir, "board.json"), JSON.stringify(board));
      const err: string[] = [];
      expect(await build(["--board", join(dir, "board.json"), "--out", join(dir, "firmware.js")], () => {}, (s) => err.push(s))).toBe(0);
      writeFileSync(join(dir, "upload.js"), uploadScript(WIFI_STUB + FAKE_NET + readFileSync(join(dir, "firmware.js"), "latin1") + "\n" + DRIVER));
      const out = await runScript(BIN!, ["upload.js"], dir, /COLD done/, 60000);
      const at = (tag: string): number => {
        const m = new RegExp("COLD " + tag + "=(\\d+)").exec(out);
        if (!m) throw new Error(`no "${tag}" in the run:\n${out.slice(-2000)}`);
        return Number(m[1]);
      };
      expect(out).not.toMatch(/Uncaught/);
      // The console answered on its info topic (its reply, and the PUBACK of the command).
      expect(at("replied")).toBeGreaterThanOrEqual(2);
      // 20 commands: each state publish and PUBACK is made and freed again; the bank (hundreds of JsVars)
      // is not made.
      expect(Math.abs(at("commands") - at("rest"))).toBeLessThan(30);
      expect(at("console") - at("rest")).toBeGreaterThan(150);
      expect(Math.abs(at("after") - at("rest"))).toBeLessThan(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90000);
});
