// The protocol analyzer's command line (`npm run decode -- HEX...`): main() in-process for the cases,
// plus real child processes for the exit codes and the output streams.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { main, parseHex } from "../../sim/cli/decode";
import { loadVectors, fromHex } from "../helpers/vectors";
import { errorRule, errorName, allErrorCodes } from "../../firmware/mqtt";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const vectors = loadVectors();

const EXAMPLE =
  "10 25 00 04 4D 51 54 54 04 C2 00 78 00 09 39 30 31 35 30 35 38 32 34 00 06 34 39 31 36 34 34 00 06 31 32 33 34 35 36";

function run(args: string[]): { code: number; out: any[]; lines: string[]; err: string[] } {
  const lines: string[] = [];
  const err: string[] = [];
  const code = main(args, { out: (l) => lines.push(l), err: (l) => err.push(l) });
  return { code, out: lines.map((l) => JSON.parse(l)), lines, err };
}

function spawnDecode(args: string[], input = "") {
  return spawnSync(process.execPath, ["--import", "tsx", "sim/cli/decode.ts", ...args], {
    cwd: root, encoding: "utf8", timeout: 20000, input,
  });
}

describe("decode CLI", () => {
  it("decodes the CONNECT example field by field (--show-secrets: with its password)", () => {
    const r = run(["--show-secrets", ...EXAMPLE.split(" ")]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatchObject({
      offset: 0, type: "CONNECT", headerByte: "0x10", flags: "0000", remainingLength: 37, length: 39,
      protocolName: "MQTT", protocolLevel: 4,
      connectFlags: {
        byte: "0xC2", username: true, password: true, willRetain: false, willQos: 0, will: false,
        cleanSession: true, reserved: 0,
      },
      keepAlive: 120, clientId: "901505824", username: "491644", password: "123456",
    });
    expect(r.out[0]).not.toHaveProperty("will");
  });

  it("runs as a real process: one JSON line, exit 0, the password shown by its length only", () => {
    const r = spawnDecode(EXAMPLE.split(" "));
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ clientId: "901505824", username: "491644", password: "(6 bytes)" });
    expect(r.stdout).not.toContain("123456");
  });

  it("reads the bytes from stdin when no HEX argument is given", () => {
    // As xxd -p prints them: lines of hex digits.
    const r = spawnDecode([], "20020000\n3005000361\n2f62\n");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").map((l) => JSON.parse(l).type)).toEqual(["CONNACK", "PUBLISH"]);
    const secret = spawnDecode(["--show-secrets"], EXAMPLE);
    expect(JSON.parse(secret.stdout).password).toBe("123456");
    const none = spawnDecode([], "");
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("decode: no bytes given");
  });

  it("prints --help on stdout (exit 0) and refuses an unknown option (exit 2)", () => {
    const help = spawnDecode(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: npm run decode");
    expect(help.stderr).toBe("");
    const bad = run(["--secrets", "20 02 00 00"]);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toBe("decode: unknown option: --secrets");
  });

  it("accepts 0x prefixes, commas, colons and runs of digits", () => {
    expect(Array.from(parseHex(["0x20,0x02", "00:00", "C000"]) as Uint8Array)).toEqual([0x20, 2, 0, 0, 0xc0, 0]);
    expect(Array.from(parseHex(["0xa", "0XFF"]) as Uint8Array)).toEqual([0x0a, 0xff]);
    expect(parseHex(["zz"])).toBeNull();
    expect(parseHex(["123"])).toBeNull();
    expect(parseHex(["0x"])).toBeNull();
  });

  it("prints several packets in one input, each with its offset", () => {
    const r = run(["20 02 01 00", "0x32,0x08,0x00,0x03,0x61,0x2F,0x62,0x00,0x07,0x4F", "82:06:00:0A:00:01:23:00", "90 04 00 0A 02 80", "C0 00"]);
    expect(r.code).toBe(0);
    expect(r.out.map((o) => [o.offset, o.type])).toEqual([
      [0, "CONNACK"], [4, "PUBLISH"], [14, "SUBSCRIBE"], [22, "SUBACK"], [28, "PINGREQ"],
    ]);
    expect(r.out[0]).toMatchObject({ sessionPresent: true, returnCode: 0, returnCodeMeaning: "accepted" });
    expect(r.out[1]).toMatchObject({
      headerByte: "0x32", dup: false, qos: 1, retain: false, topic: "a/b", packetId: 7,
      payload: "O", payloadHex: "4F", payloadLength: 1,
    });
    expect(r.out[2]).toMatchObject({ packetId: 10, subscriptions: [{ filter: "#", qos: 0 }] });
    expect(r.out[3].returnCodes).toEqual([{ code: 2, meaning: "granted QoS 2" }, { code: 0x80, meaning: "failure" }]);
  });

  it("shows binary payloads and passwords as hex", () => {
    // PUBLISH QoS 0 "bin" with payload 00 FF 80.
    const pub = run(["30 08 00 03 62 69 6E 00 FF 80"]).out[0];
    expect(pub).toMatchObject({ topic: "bin", payload: null, payloadHex: "00 FF 80", payloadLength: 3 });
    // CONNECT with will (topic "w", message 01 02) and password FF.
    const connect = "10 1A 00 04 4D 51 54 54 04 C4 00 0A 00 01 63 00 01 77 00 02 01 02 00 01 75 00 01 FF";
    const con = run(["--show-secrets", connect]);
    expect(con.code).toBe(0);
    expect(con.out[0]).toMatchObject({
      clientId: "c", will: { topic: "w", payloadHex: "01 02", qos: 0, retain: false }, username: "u", passwordHex: "FF",
    });
    const masked = run([connect]).out[0];
    expect(masked.password).toBe("(1 byte)");
    expect(masked).not.toHaveProperty("passwordHex");
  });

  it("decodes every valid shared vector", () => {
    for (const v of vectors.valid) {
      const r = run([v.hex]);
      expect(r.code, v.name).toBe(0);
      expect(r.out, v.name).toHaveLength(1);
      expect(r.out[0].type, v.name).toBe(v.packet.type);
      expect(r.out[0].length, v.name).toBe(fromHex(v.hex).length);
    }
  });

  it("exits 1 with the rule for every malformed shared vector", () => {
    const known = new Set(allErrorCodes());
    for (const v of vectors.malformed) {
      const r = run([v.hex]);
      expect(r.code, v.name).toBe(1);
      const last = r.out[r.out.length - 1];
      expect(Object.keys(last), v.name).toEqual(["offset", "error", "code", "rule"]);
      expect(last.offset, v.name).toBe(0);
      expect(known.has(last.code), v.name).toBe(true);
      expect(last.error, v.name).toBe(errorName(last.code));
      expect(last.rule, v.name).toBe(errorRule(last.code));
    }
  });

  it("names the rule a malformed vector breaks", () => {
    const byName = (s: string) => vectors.malformed.find((v) => v.name.includes(s)) as { hex: string };
    expect(run([byName("fifth byte").hex]).out[0].error).toBe("REMAINING_LENGTH");
    expect(run([byName("wildcard").hex]).out[0].rule).toContain("MQTT-3.3.2-2");
    expect(run([byName("SUBSCRIBE requesting QoS 3").hex]).out[0].error).toBe("SUBSCRIBE_QOS");
  });

  it("stops at the first malformed packet, after the good ones before it", () => {
    const r = run(["20 02 00 00", "60 02 00 01", "C0 00"]);
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(2);
    expect(r.out[1]).toEqual({ offset: 4, error: "HEADER_FLAGS", code: -22, rule: errorRule(-22) });
  });

  it("reports a truncated final packet with the bytes missing", () => {
    const r = run(["20 02 00 00", "30 05 00 03 61"]);
    expect(r.code).toBe(1);
    expect(r.out[0].type).toBe("CONNACK");
    expect(r.out[1]).toMatchObject({ offset: 4, error: "TRUNCATED", expected: 7, present: 5, missing: 2 });
    expect(r.out[1].rule).toContain("2 bytes");
    // Cut inside the remaining length field.
    const h = run(["30 80"]);
    expect(h.code).toBe(1);
    expect(h.out[0]).toMatchObject({ offset: 0, error: "TRUNCATED", present: 2, missing: null });
    // A declared length far beyond the input.
    expect(run(["30 FF FF FF 7F 00"]).out[0]).toMatchObject({ error: "TRUNCATED", missing: 268435460 - 6 });
  });

  it("exits 1 as a real process for malformed and truncated input", () => {
    const bad = spawnDecode(["36 05 00 01 61 00 01"]);
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stdout.trim())).toMatchObject({ error: "QOS_INVALID", rule: errorRule(-4) });
    const cut = spawnDecode(["32 24 00 1C"]);
    expect(cut.status).toBe(1);
    expect(JSON.parse(cut.stdout.trim())).toMatchObject({ error: "TRUNCATED", missing: 34 });
  });

  it("exits 2 with usage on stderr for bad hex or no input", () => {
    for (const args of [["zz"], ["10 2"], ["0x1G"], []]) {
      const r = run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.lines).toEqual([]);
      expect(r.err.join("\n")).toContain("usage");
    }
    const p = spawnDecode(["not", "hex"]);
    expect(p.status).toBe(2);
    expect(p.stdout).toBe("");
    expect(p.stderr).toContain("usage");
  });
});
