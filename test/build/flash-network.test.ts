// `npm run flash -- --port tcp://HOST[:PORT]`: re-flashing over the network through the interpreter's
// telnet console (the ESP32 release serves it on port 23 when board.json has console.telnet). The port is
// checked before anything is opened; a console that does not answer fails with what to check. The upload
// itself, its read-back and the start over tcp:// are test/build/flash.test.ts's (a fake console and, with
// ESPRUINO_BIN, the Linux build's telnet console).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "../../sim/cli/flash";
import { parseTcp, TELNET_PORT } from "../../sim/flash/console-link";
import { freePort } from "../support/mosquitto";

const ROOT = resolve(__dirname, "../..");
const TSX = createRequire(import.meta.url).resolve("tsx/cli");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "relaymq-flash-net-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function runFlash(args: string[]) {
  const r = spawnSync(process.execPath, [TSX, "sim/cli/flash.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 30000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run flash -- --port tcp://HOST[:PORT]", () => {
  it.each([
    ["tcp://192.168.1.50", { host: "192.168.1.50", port: TELNET_PORT }],
    ["tcp://board.lan:2323", { host: "board.lan", port: 2323 }],
    ["tcp://esp32-01/", { host: "esp32-01", port: TELNET_PORT }],
    ["tcp://[fe80::1]:23", { host: "fe80::1", port: 23 }],
    ["/dev/ttyUSB0", null],
  ])("%s is %j", (given, want) => {
    expect(parseTcp(given)).toEqual(want);
  });

  it.each(["tcp://", "tcp://host:0", "tcp://host:70000", "tcp://user@host", "tcp://host:23/path"])(
    "refuses %s before opening anything (exit 2)",
    (port) => {
      const message = `--port ${port}: write tcp://HOST or tcp://HOST:PORT (PORT 1-65535)`;
      expect(parseArgs(["--port", port])).toBe(message);
      const r = runFlash(["--port", port, "--firmware", join(dir, "none.js")]);
      expect(r.code).toBe(2);
      expect(r.err.split("\n")[0]).toBe(message);
      expect(r.err).toContain("tcp://HOST[:PORT]");
    },
  );

  it("a console that does not answer: exit 1, one line with the cause and what to check", async () => {
    const fw = join(dir, "fw.js");
    writeFileSync(fw, "console.log(1);\n");
    const port = await freePort(); // nothing listens there now
    const r = runFlash(["--port", `tcp://127.0.0.1:${port}`, "--firmware", fw]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain(`cannot open tcp://127.0.0.1:${port}: refused (ECONNREFUSED)`);
    expect(r.err).toContain('"console": { "telnet": true }');
  });
});
