// Runs INSIDE the Espruino interpreter (bundled by test/espruino/bindings.test.ts): the Espruino
// bindings of the seams (firmware/espruino) on the real runtime. The Linux build has no radio and no
// GPIO hardware: pins are checked for what the build emulates, WiFi through a scripted Wifi module
// that reports the way the ESP32 driver does. Checked by tsconfig.firmware.json (Espruino globals).
import { EspruinoPins } from "../../firmware/espruino/pins";
import { EspruinoTimers } from "../../firmware/espruino/timers";
import { EspruinoStorage } from "../../firmware/espruino/storage";
import { espruinoSystem } from "../../firmware/espruino/system";
import { WifiManager } from "../../firmware/espruino/wifi";
import { EspruinoNetTransport } from "../../firmware/espruino/net-transport";
import { codeName, logText } from "../../firmware/espruino/log";
import { E_CONNECT_FAILED } from "../../firmware/mqtt/errors";

declare function quit(): void;

let pass = 0;
let fail = 0;
function check(ok: boolean, name: string, detail?: string): void {
  if (ok) pass++;
  else fail++;
  console.log("BINDINGS " + (ok ? "ok " : "FAIL ") + name + (ok || detail === undefined ? "" : ": " + detail));
}
function throws(fn: () => void): string | null {
  try {
    fn();
  } catch (e) {
    return String((e as { message?: string }).message || e);
  }
  return null;
}

function pins(): void {
  const p = new EspruinoPins();
  check(p.pin("D26") === D26 && p.pin("D26") === D26, "pins: D26 is the D26 global, cached");
  check(p.pin("D0") === D0 && p.pin("D32") === D32, "pins: D0 and D32");
  check(throws(() => p.pin("bogus")) === "no pin bogus", "pins: an unknown name throws a clear error");
  // The Linux build has D0..D32 only: a board name it lacks fails on use, not at load.
  const d39 = throws(() => p.pin("D39"));
  check(d39 === null || d39 === "no pin D39", "pins: D39 resolves or fails clearly", String(d39));
  p.mode("D5", "input_pullup");
  check(typeof p.read("D5") === "boolean", "pins: read returns a boolean");
  p.mode("D6", "output");
  p.write("D6", true);
  p.write("D6", false);
  const id = p.watch("D5", "both", 20, function () {});
  check(typeof id === "number", "pins: watch returns an id");
  p.unwatch(id);
  check(throws(() => p.unwatch(id)) === null, "pins: unwatching twice is harmless");
}

function storage(): void {
  const s = new EspruinoStorage();
  check(s.read("relaymq-none") === null, "storage: a missing key reads null");
  check(s.write("relaymq-k", "on") && s.read("relaymq-k") === "on", "storage: write then read");
  check(s.write("relaymq-k", "on") && s.write("relaymq-k", "off") && s.read("relaymq-k") === "off", "storage: rewrite");
  let bin = "";
  for (let i = 0; i < 256; i++) bin += String.fromCharCode(i);
  check(s.write("relaymq-bin", bin) && s.read("relaymq-bin") === bin, "storage: bytes 0-255 kept");
  check(!s.write("relaymq-0123456789012345678901234", "x"), "storage: a name over 28 chars is refused");
  check(!s.write("relaymq-empty", "") && s.read("relaymq-empty") === null, "storage: an empty value is refused");
}

function system(): void {
  const free = espruinoSystem.freeMemory();
  check(typeof free === "number" && free > 0 && free <= process.memory().total, "system: free JsVars", String(free));
  // The Linux build has no Wifi module: the station's figures are unknown, and asking does not throw.
  check(espruinoSystem.mac() === "", "system: no MAC without Wifi", espruinoSystem.mac());
  const rssi = espruinoSystem.rssi();
  check(rssi !== rssi, "system: rssi NaN without Wifi", String(rssi));
  check(espruinoSystem.ip() === "", "system: no address without Wifi", espruinoSystem.ip());
}

// Timers, then WiFi, then the end: each step calls the next when its timers have run.
function timers(next: () => void): void {
  const t = new EspruinoTimers();
  const live = (t as unknown as { live: { [id: number]: number } }).live;
  let a = 0;
  let b = 0;
  let c = 0;
  let ticks = 0;
  let reused = false;
  t.after(5, function () {
    a++;
  });
  const cancelled = t.after(5, function () {
    b++;
  });
  t.cancel(cancelled);
  // One callback for several timers, told apart by the argument after() passes it.
  const args: number[] = [];
  const shared = function (i: number): void {
    args.push(i);
  };
  t.after(6, shared, 7);
  t.cancel(t.after(6, shared, 8));
  t.after(7, shared, 0);
  const every = t.every(10, function () {
    ticks++;
  });
  // Made first, so that the timers below are the newest.
  t.after(120, function () {
    t.cancel(every);
    const ticksAtCancel = ticks;
    check(a === 1, "timers: after fires once");
    check(b === 0, "timers: cancel before firing stops it");
    check(args.join(",") === "7,0", "timers: after passes its argument, a cancelled one's never", args.join(","));
    check(ticksAtCancel >= 5, "timers: every repeats", String(ticksAtCancel));
    check(reused, "timers: Espruino reused the fired timer's id (the hazard is real here)");
    check(c === 1, "timers: cancelling a fired id leaves the timer that reuses its Espruino id alone");
    t.cancel(12345);
    t.after(40, function () {
      check(ticks === ticksAtCancel, "timers: cancel stops every");
      leak(t, next);
    });
  });
  // The hazard: a one-shot fires; a newer timer then gets the same Espruino id (the newest timer's
  // id is handed out again once it is gone); cancelling the old one must not stop the new one.
  let oldNative = -1;
  const check30 = t.after(30, function () {
    const fresh = t.after(20, function () {
      c++;
    });
    reused = live[fresh] === oldNative;
    t.cancel(old); // stale: already fired
  });
  const old = t.after(5, function () {});
  oldNative = live[old];
  void check30;
}

// The binding's own tables must not grow: run many one-shots, compare memory usage.
function leak(t: EspruinoTimers, next: () => void): void {
  let n = 0;
  let before = 0;
  const step = function (): void {
    n++;
    if (n === 10) before = process.memory().usage;
    if (n < 210) {
      const id = t.after(0, step, n);
      if (n % 2 === 0) t.cancel(t.after(1000, step, n)); // a cancelled one on every other turn
      if (id < 0) check(false, "timers: id");
      return;
    }
    const after = process.memory().usage;
    check(after - before <= 2, "timers: no growth over 200 cycles", before + " -> " + after);
    next();
  };
  step();
}

/** A Wifi module that answers each connect() as the ESP32 driver would, from a script. */
function scriptedWifi(script: string[]) {
  const handlers: { [event: string]: () => void } = {};
  const calls: string[] = [];
  const mod: EspruinoWifiModule = {
    on: function (event: string, fn: () => void) {
      handlers[event] = fn;
    },
    disconnect: function () {},
    getStatus: function () {
      return {};
    },
    getIP: function () {
      return {};
    },
    connect: function (ssid: string, options: { password?: string }, cb: (err: string | null) => void) {
      const step = script.length > 0 ? script.shift()! : "ok";
      calls.push(step + ":" + ssid + ":" + options.password);
      if (step === "throw") throw new Error("radio");
      if (step === "fail") {
        // ESP32: the event first, then the callback with the reason.
        setTimeout(function () {
          handlers.disconnected();
          cb("auth_fail");
        }, 5);
      } else if (step === "silent") {
        setTimeout(function () {
          cb("too late"); // after the attempt was given up: must be ignored
        }, 300);
      } else {
        setTimeout(function () {
          cb(null);
          handlers.connected();
        }, 5);
      }
    },
  };
  return { mod: mod, handlers: handlers, calls: calls, script: script };
}

function wifi(next: () => void): void {
  const w = scriptedWifi(["fail", "throw", "silent", "ok"]);
  let ups = 0;
  let downs = 0;
  const events = {
    onUp: function () {
      ups++;
    },
    onDown: function () {
      downs++;
    },
  };
  const m = new WifiManager(w.mod, new EspruinoTimers(), "net", "pw", events, { minMs: 20, maxMs: 80, attemptMs: 100 });
  m.start();
  m.start(); // a second start changes nothing
  setTimeout(function () {
    check(m.isUp() && ups === 1 && downs === 0, "wifi: up after fail, throw and a silent attempt", ups + "/" + downs);
    check(w.calls.length === 4 && w.calls[0] === "fail:net:pw", "wifi: four attempts", w.calls.join(","));
    w.handlers.connected(); // a repeated "connected" while up
    check(ups === 1, "wifi: no second onUp while up");
    // The AP goes away: the driver reports "disconnected"; two more attempts bring the link back.
    w.script.push("fail", "ok");
    w.handlers.disconnected();
    check(!m.isUp() && downs === 1, "wifi: onDown on loss");
    setTimeout(function () {
      check(m.isUp() && ups === 2 && downs === 1, "wifi: back up after a loss", ups + "/" + downs + " " + w.calls.join(","));
      check(m.attempts === 6 && m.ups === 2, "wifi: counters", m.attempts + "/" + m.ups);
      next();
    }, 400);
  }, 700);
}

// A connect that fails: the transport reports it once and says where and why, in the interpreter's words,
// and the log line names the code (the names the build writes in, __ERROR_NAMES__).
function transport(next: () => void): void {
  // Refused on loopback only: a name lookup could leave the machine. (An unknown name throws "Unable to
  // locate host" the same way: one close, CONNECT_FAILED, those words.)
  const cases = [{ host: "127.0.0.1", port: 1, name: "refused" }];
  const one = function (i: number): void {
    if (i === cases.length) {
      next();
      return;
    }
    const c = cases[i];
    const t = new EspruinoNetTransport(c.host, c.port, false);
    const reasons: number[] = [];
    t.open({ onOpen: function () {}, onData: function () {}, onClose: function (r: number) { reasons.push(r); } });
    setTimeout(function () {
      const where = t.describe();
      check(reasons.length === 1 && reasons[0] === E_CONNECT_FAILED, "transport: " + c.name + " closes once, CONNECT_FAILED", reasons.join(","));
      check(where.indexOf(c.host + ":" + c.port + ": ") === 0 && where.length > c.host.length + 8, "transport: " + c.name + " says where and why", where);
      const line = logText(1, E_CONNECT_FAILED, "mqtt", codeName(E_CONNECT_FAILED), where);
      check(line === "warn mqtt CONNECT_FAILED (-52) " + where, "transport: " + c.name + " log line", line);
      console.log("BINDINGS info " + line);
      one(i + 1);
    }, 500);
  };
  one(0);
}

pins();
storage();
system();
timers(function () {
  wifi(function () {
    transport(function () {
      console.log("BINDINGS DONE pass=" + pass + " fail=" + fail);
      quit();
    });
  });
});
