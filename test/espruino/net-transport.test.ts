// The board's Transport against a broker that never closes its side: close() must close for good and
// report onClose at once, in the real interpreter (ESPRUINO_BIN) and in the simulator's shim alike, so
// that sockets do not pile up and a retry does not wait out the connect timeout. A write the socket can
// no longer take returns false (the interpreter throws "This socket is closed"; the transport catches it);
// write() and writeAck() put their bytes on the wire.
import { describe, it, expect, afterEach } from "vitest";
import net from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFirmware } from "../../sim/build/bundle";
import { checkEspruino } from "../../sim/build/espruino-check";
import { runScript } from "../support/espruino-boot";
import { until } from "../support/wait";
import { haltShimBoards, shimBoard } from "../sim/shim-harness";

const BIN = process.env.ESPRUINO_BIN;

/** What both runtimes must print, in order. */
const EXPECTED = [
  "open",
  "write true",
  "writeAck true",
  "write after close false",
  "writeAck after close false",
  "onClose 0 within 1 s of close()",
  "write after onClose false",
  "writeAck after onClose false",
  "DONE",
];

interface Peer {
  port: number;
  got: Buffer[];
  fin: boolean;
  stop(): Promise<void>;
}

/** A server that reads and never ends or closes its side (allowHalfOpen); sends `hello` to whoever connects. */
async function stubbornPeer(hello?: Buffer): Promise<Peer> {
  const conns: net.Socket[] = [];
  const peer: Peer = { port: 0, got: [], fin: false, stop: async () => {} };
  const srv = net.createServer({ allowHalfOpen: true }, (c) => {
    conns.push(c);
    if (hello) c.write(hello);
    c.on("data", (d) => peer.got.push(d));
    c.on("end", () => (peer.fin = true));
    c.on("error", () => {});
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  peer.port = (srv.address() as net.AddressInfo).port;
  peer.stop = () => new Promise<void>((r) => {
    for (const c of conns) c.destroy();
    srv.close(() => r());
  });
  return peer;
}

function entry(port: number): Promise<string> {
  return bundleFirmware({ entry: "test/espruino/transport-entry.ts", define: { __PORT__: String(port) }, minify: true });
}

/** Bytes whose n-th is n % 256, more than one socket chunk (536 bytes on the interpreter). */
const RECEIVED = Buffer.from(Array.from({ length: 1500 }, (_, n) => n & 255));
const RECEIVED_SAYS = ["received 1500 in several calls, every byte right", "DONE"];

function dataEntry(port: number): Promise<string> {
  return bundleFirmware({
    entry: "test/espruino/transport-data-entry.ts",
    define: { __PORT__: String(port), __BYTES__: String(RECEIVED.length) },
    minify: true,
  });
}

function observations(out: string): string[] {
  // The interpreter's console may put its prompt and an erase-line sequence before a line.
  return out.split(/\r?\n/).filter((l) => l.includes("TRANSPORT ")).map((l) => l.slice(l.indexOf("TRANSPORT ") + 10).trim());
}

let peer: Peer | null = null;
afterEach(async () => {
  haltShimBoards();
  await peer?.stop();
  peer = null;
});

/** What the peer receives: write()'s bytes, then writeAck()'s PUBACK for id 0x12ff, high byte first. */
const SENT = Buffer.from([0xc0, 0x00, 0x40, 0x02, 0x12, 0xff]);

// The close entry (after `prelude`) in the shim against a stubborn peer: the observations, the bytes, then
// FIN at the peer. -> the board, for what else a test reads of it.
async function closeInShim(prelude: string) {
  peer = await stubbornPeer();
  const board = shimBoard();
  board.shim.run(prelude + (await entry(peer.port)), "transport.js");
  await until(() => board.lines.some((l) => l.includes("TRANSPORT DONE")), 5000, "the entry to finish");
  expect(observations(board.lines.join("\n"))).toEqual(EXPECTED);
  await until(() => peer!.fin, 3000, "the peer to see FIN");
  expect(Buffer.concat(peer.got)).toEqual(SENT);
  return board;
}

// The same in the interpreter (ESPRUINO_BIN).
async function closeInInterpreter(prelude: string): Promise<void> {
  peer = await stubbornPeer();
  const dir = mkdtempSync(join(tmpdir(), "relaymq-transport-"));
  try {
    const file = join(dir, "transport.js");
    writeFileSync(file, prelude + (await entry(peer.port)));
    const out = await runScript(BIN!, [file], dir, /TRANSPORT DONE[^\n]*\n/, 15000);
    expect(observations(out), out.slice(-1500)).toEqual(EXPECTED);
    await until(() => peer!.fin, 3000, "the peer to see FIN");
    expect(Buffer.concat(peer.got)).toEqual(SENT);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("net transport: close() against a broker that never closes its side", () => {
  it("the entry passes the compatibility check", async () => {
    expect(checkEspruino(await entry(1883))).toEqual([]);
  });

  it("in the shim: onClose at once, bytes then FIN reach the peer, no socket left", async () => {
    const board = await closeInShim("");
    expect(board.shim.openSockets).toBe(0);
  });

  it.skipIf(!BIN)("in the interpreter (ESPRUINO_BIN): the same observations, bytes then FIN at the peer", async () => {
    await closeInInterpreter("");
  }, 30000);
});

describe("net transport: a heap too fragmented for E.toString (undefined: no flat block)", () => {
  // write()'s string is then spelled out a byte at a time (writeAck makes its own): the same observations,
  // the same bytes.
  const NO_FLAT_BLOCK = "E.toString = function () { return undefined; };\n";

  it("in the shim: the same observations and bytes", async () => {
    await closeInShim(NO_FLAT_BLOCK);
  });

  it.skipIf(!BIN)("in the interpreter (ESPRUINO_BIN): the same observations and bytes", async () => {
    await closeInInterpreter(NO_FLAT_BLOCK);
  }, 30000);
});

describe("net transport: what the broker sends arrives byte for byte, with no receive buffer of its own", () => {
  it("in the shim: 1,500 bytes of every value, over several chunks", async () => {
    peer = await stubbornPeer(RECEIVED);
    const board = shimBoard();
    board.shim.run(await dataEntry(peer.port), "transport-data.js");
    await until(() => board.lines.some((l) => l.includes("TRANSPORT DONE")), 7000, "the entry to finish");
    expect(observations(board.lines.join("\n"))).toEqual(RECEIVED_SAYS);
  });

  it.skipIf(!BIN)("in the interpreter (ESPRUINO_BIN): the same bytes, read through a view of each received string", async () => {
    peer = await stubbornPeer(RECEIVED);
    const dir = mkdtempSync(join(tmpdir(), "relaymq-transport-"));
    try {
      const file = join(dir, "transport-data.js");
      writeFileSync(file, await dataEntry(peer.port));
      const out = await runScript(BIN!, [file], dir, /TRANSPORT DONE[^\n]*\n/, 15000);
      expect(observations(out), out.slice(-1500)).toEqual(RECEIVED_SAYS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30000);
});
