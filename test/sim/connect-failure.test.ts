// A connection that fails says why and where: the board's log line (the firmware's own formatter), the
// simulator's events and its live view, in source and bundle mode; and the view shows where the board's
// socket really goes, every connect attempt, and relays without power after a power cut.
import { describe, it, expect, afterEach } from "vitest";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Aedes } from "aedes";
import { OK, allErrorCodes, errorName, E_CONNECT_FAILED, E_CONNACK_TIMEOUT, E_CONNECTION_LOST, E_PING_TIMEOUT } from "../../firmware/mqtt/errors";
import { codeName, logText } from "../../firmware/espruino/log";
import { errorNames } from "../../sim/build/bundle";
import { socketCause } from "../../sim/platform/socket-cause";
import { TcpTransport } from "../../sim/platform/tcp-transport";
import { Simulator } from "../../sim/runner/simulator";
import type { SimEvent } from "../../sim/runner/events";
import { BoardState } from "../../sim/view/board-state";
import { renderScreen } from "../../sim/view/live-screen";
import { e2eBundle, e2eConfig } from "./sim-harness";
import { freePort } from "../support/mosquitto";
import { until } from "../support/wait";
import { info } from "./view-helpers";

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe("the board's log line", () => {
  // As `npm run build` writes the names into the bundle.
  (globalThis as { __ERROR_NAMES__?: string }).__ERROR_NAMES__ = errorNames();

  it("names every error code as the error table does", () => {
    for (const code of allErrorCodes()) expect(codeName(code), String(code)).toBe(errorName(code));
    expect(codeName(-999)).toBe("E-999");
  });

  it.each([
    { level: 2, code: OK, message: "connected", where: "10.0.0.2:1883", line: "info connected" },
    { level: 1, code: E_CONNECT_FAILED, message: "mqtt", where: "10.0.0.2:1883: Unable to locate host",
      line: "warn mqtt CONNECT_FAILED (-52) 10.0.0.2:1883: Unable to locate host" },
    { level: 1, code: E_CONNECTION_LOST, message: "disconnected", where: "10.0.0.2:1883: connection reset (-9)",
      line: "warn disconnected CONNECTION_LOST (-51) 10.0.0.2:1883: connection reset (-9)" },
    { level: 1, code: E_CONNACK_TIMEOUT, message: "mqtt", where: "10.0.0.2:1883: no connection made",
      line: "warn mqtt CONNACK_TIMEOUT (-44) 10.0.0.2:1883: no connection made" },
    // Not a connection failure: no address.
    { level: 1, code: E_PING_TIMEOUT, message: "mqtt", where: "10.0.0.2:1883", line: "warn mqtt PING_TIMEOUT (-45)" },
    { level: 0, code: -56, message: "disconnected", where: "", line: "error disconnected STOPPED (-56)" },
    { level: 3, code: OK, message: "tick", where: "", line: "debug tick" },
  ])("$line", ({ level, code, message, where, line }) => {
    expect(logText(level, code, message, codeName(code), where)).toBe(line);
  });
});

describe("socketCause", () => {
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });
  it.each([
    [err("ECONNREFUSED"), "refused (ECONNREFUSED)"],
    [err("ENOTFOUND"), "name not found (DNS) (ENOTFOUND)"],
    [err("EAI_AGAIN"), "name lookup failed (DNS) (EAI_AGAIN)"],
    [err("ETIMEDOUT"), "timeout (ETIMEDOUT)"],
    [err("EHOSTUNREACH"), "host unreachable (EHOSTUNREACH)"],
    [err("ECONNRESET"), "reset by the broker (ECONNRESET)"],
    [err("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"), "TLS certificate not accepted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)"],
    [err("CERT_HAS_EXPIRED", "certificate has expired"), "TLS certificate not accepted: certificate has expired (CERT_HAS_EXPIRED)"],
    [err("ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match"), "TLS certificate not accepted: Hostname/IP does not match (ERR_TLS_CERT_ALTNAME_INVALID)"],
    [err("ERR_SSL_WRONG_VERSION_NUMBER", "wrong version number"), "TLS handshake failed: wrong version number (ERR_SSL_WRONG_VERSION_NUMBER)"],
    [new Error("something else"), "something else"],
  ])("%s -> %s", (e, words) => {
    expect(socketCause(e as NodeJS.ErrnoException)).toBe(words);
  });
});

describe("the Node transport says where and why", () => {
  function openAndWait(t: TcpTransport): Promise<number> {
    return new Promise((resolve) => t.open({ onOpen: () => {}, onData: () => {}, onClose: resolve }));
  }

  it("a refused port: the address and 'refused'; while connecting: no connection made yet", async () => {
    const port = await freePort();
    const t = new TcpTransport({ host: "127.0.0.1", port });
    const closed = openAndWait(t);
    expect(t.describe()).toBe(`127.0.0.1:${port}: no connection made`);
    expect(await closed).toBe(E_CONNECT_FAILED);
    expect(t.describe()).toBe(`127.0.0.1:${port}: refused (ECONNREFUSED)`);
  });

  it("a TLS broker whose certificate is not trusted: 'TLS certificate not accepted'", async () => {
    const fixture = (name: string) => readFileSync(fileURLToPath(new URL("../fixtures/tls/" + name, import.meta.url)));
    const aedes = await Aedes.createBroker();
    const server = tls.createServer({ cert: fixture("broker.crt"), key: fixture("broker.key") }, aedes.handle as never);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => aedes.close(() => r()))));
    const port = (server.address() as { port: number }).port;
    const t = new TcpTransport({ host: "127.0.0.1", port, tls: {} });
    expect(await openAndWait(t)).toBe(E_CONNECT_FAILED);
    expect(t.describe()).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port}: TLS certificate not accepted: .+ \\([A-Z_]+\\)$`));
  });
});

/** A simulator whose one board dials `port` on 127.0.0.1, and its events. */
async function simulator(mode: "source" | "bundle", broker?: { host: string; port: number }) {
  const events: SimEvent[] = [];
  const sim = new Simulator({
    config: e2eConfig,
    mode,
    bundle: mode === "bundle" ? { source: await e2eBundle(), file: "firmware.js" } : undefined,
    broker,
    port: 0,
    emit: (e) => events.push(e),
  });
  await sim.start();
  cleanups.push(() => sim.stop());
  const state = new BoardState(e2eConfig);
  const screen = () => {
    for (const e of events.splice(0)) state.apply(e);
    return renderScreen(state, { ...info({ mode, embedded: !broker }), now: state.lastT }, 200, 60);
  };
  return { sim, events, state, screen };
}

describe.each(["source", "bundle"] as const)("the simulator in %s mode", (mode) => {
  it("a refused broker: the log names CONNECT_FAILED with where and why, the view counts every attempt", async () => {
    const port = await freePort();
    const { events, screen, state } = await simulator(mode, { host: "127.0.0.1", port });
    const logs = () => events.filter((e): e is Extract<SimEvent, { event: "log" }> => e.event === "log").map((e) => e.message);
    // Refused: by Node in source mode; in bundle mode by the shim as Espruino reports it (an error event,
    // then a connect() that throws). A connect before the board joined WiFi fails with "no route" first.
    const refused = /CONNECT_FAILED .*(refused|no connection \(-11\)|Unable to create socket)/;
    const failures = () => events.filter((e) => e.event === "error" && e.what === "connect" && /refused/.test(e.message)).length;
    await until(() => failures() >= 2 && logs().some((l) => refused.test(l)), 8000, () => `two refused connects; ${JSON.stringify(events.slice(-6))}`);
    const log = logs().find((l) => refused.test(l));
    const errors = events.filter((e): e is Extract<SimEvent, { event: "error" }> => e.event === "error" && /refused/.test(e.message)).map((e) => e.message);
    if (mode === "source") {
      // The Node transport dials the simulator's route and says what Node saw.
      expect(log).toBe(`warn mqtt CONNECT_FAILED (-52) 127.0.0.1:${port}: refused (ECONNREFUSED)`);
      expect(errors[0]).toBe(`CONNECT_FAILED: 127.0.0.1:${port}: refused (ECONNREFUSED)`);
    } else {
      // The firmware dials board.json's host and logs the interpreter's words (the shim's, as Espruino's).
      expect(log).toMatch(/^warn mqtt CONNECT_FAILED \(-52\) 192\.168\.1\.10:1883: (no connection \(-11\)|Unable to create socket)$/);
      expect(errors[0]).toBe(`127.0.0.1:${port}: refused (ECONNREFUSED)`);
    }
    const text = screen();
    expect(state.connection.attempts).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(new RegExp(`connecting .* attempts ${state.connection.attempts}  connects 0  last: `));
    expect(text).toContain(`127.0.0.1:${port}`);
  }, 20000);

  it("the view shows the socket where the simulator took it, and the board's own host beside it", async () => {
    const { sim, events, screen } = await simulator(mode);
    await until(() => events.some((e) => e.event === "connected"), 8000, "the board to connect");
    const socket = events.find((e): e is Extract<SimEvent, { event: "socket" }> => e.event === "socket")!;
    expect(socket).toMatchObject({ to: "192.168.1.10:1883", broker: `127.0.0.1:${sim.broker.port}` });
    expect(screen()).toContain(`socket 127.0.0.1:${sim.broker.port} (board dials 192.168.1.10:1883)`);
  }, 20000);

  it("after a power cut the relays show no power; the next boot reports them again", async () => {
    const { sim, events, screen, state } = await simulator(mode);
    await until(() => events.some((e) => e.event === "relay" && e.relay === "pump"), 8000, "the pump's power-on state");
    const board = sim.boards[0];
    board.kill();
    let text = screen();
    expect(text).toMatch(/pump\s+D26\s+OFF\s+pin -\s+\(active-low\)\s+no power/);
    expect(state.relays.every((r) => !r.powered && r.on === false)).toBe(true);
    board.boot();
    await until(() => events.some((e) => e.event === "relay" && e.relay === "pump"), 8000, "the pump reported after the boot");
    text = screen();
    expect(text).toMatch(/pump\s+D26\s+OFF\s+pin HIGH\s+\(active-low\)/);
    expect(text).not.toContain("no power");
  }, 20000);
});
