// The Espruino API shim: a Node vm context that looks to the built firmware (dist/firmware.js) like the
// ESP32 board it is flashed to (docs/espruino.md is the authority). Pins are the simulator's PinBank,
// sockets are real Node sockets wherever the simulator routes them, Storage is the caller's Map, and what
// the interpreter lacks is missing. One shim is one boot of one board: every piece of state lives in the
// instance, so many boards can run in one process.
import vm from "node:vm";
import { types } from "node:util";
import type { ConnectionOptions } from "node:tls";
import type { PinBank } from "../hardware/pin-bank";
import { Realm } from "./realm";
import { EventLoop } from "./loop";
import { formatArg } from "./format";
import { MemoryMeter, sizeOf } from "./memory";
import { patchByteSet, removeMissing } from "./builtins";
import { TimerTable } from "./timers";
import { PinApi } from "./pins";
import { NetStack } from "./net";
import { WifiRadio } from "./wifi";
import { esp32Module, makeRequire, storageModule, telnetModule } from "./modules";
import { installOneWire } from "./onewire";
import type { BusSensors } from "../hardware/bus-sensors";
import { realTime, type TimeSource } from "../time/time-source";

export interface ShimOptions {
  bank: PinBank;
  /** Where a connect from the board really goes: the simulator is the board's network. */
  route(host: string, port: number, tls: boolean): { host: string; port: number; tls?: ConnectionOptions | null };
  /** The Storage module's files; kept by the caller across boots. */
  storage: Map<string, string>;
  /** Each console.log line of the firmware (arguments joined with " " as Espruino prints them), and "Uncaught ..." lines. */
  console(line: string): void;
  /** Every byte on every board socket, both directions, in order (for the packet trace). Called with a fresh Uint8Array the caller may keep. */
  tap?(dir: "out" | "in", bytes: Uint8Array): void;
  /** Socket life: "connect" (to = "host:port" the board dialled), "close", "error" (message), "refused-throw" (connect threw synchronously). */
  onSocket?(event: "connect" | "close" | "error" | "refused-throw", to: string, detail?: string): void;
  /** The temperature sensors wired to the board (OneWire buses, DHT22s); absent: none. */
  busSensors?: BusSensors;
  /** E.reboot() ran: the board is already halted (as E.reboot() kills it); the host boots it again. */
  onReboot?(): void;
  /** JsVars the board has (process.memory().total); default 16383. */
  jsVars?: number;
  /** Delay before the Wifi module reports the station connected; default 20 ms. */
  wifiDelayMs?: number;
  /**
   * The station holds an address from power-on (as after Wifi.save() on a board), so sockets work without
   * a Wifi.connect(). Default false: as on the ESP32, nothing reaches the network before the firmware has
   * joined the access point; a connect before then fails with "no route".
   */
  wifiJoined?: boolean;
  /** The board's time: getTime(), timers, Wifi delays (real time by default, or the simulator's virtual time). */
  time?: TimeSource;
  /** The board's Math.random (hardware random on the board; seeded under a scenario, so runs repeat). */
  random?: () => number;
}

const DEFAULT_JSVARS = 16383;
const DEFAULT_WIFI_DELAY_MS = 20;

export class EspruinoShim {
  private readonly realm: Realm;
  private readonly loop: EventLoop;
  private readonly meter: MemoryMeter;
  private readonly timers: TimerTable;
  private readonly pins: PinApi;
  private readonly net: NetStack;
  private readonly wifi: WifiRadio;
  private readonly handlers = new Map<string, unknown[]>();
  private readonly onReboot: (() => void) | undefined;
  private readonly time: TimeSource;
  private readonly bootedAt: number;

  /** new EspruinoShim(options): a powered board with an empty program; run() loads one. */
  constructor(options: ShimOptions) {
    const print = options.console;
    this.onReboot = options.onReboot;
    this.time = options.time ?? realTime;
    this.bootedAt = this.time.now();
    this.realm = new Realm();
    this.loop = new EventLoop(print, this.time);
    this.meter = new MemoryMeter(options.jsVars ?? DEFAULT_JSVARS);
    const realm = this.realm;
    patchByteSet(realm);
    this.meter.wrap(realm);
    removeMissing(realm);
    if (options.random) realm.run<{ random: () => number }>("Math").random = options.random;

    this.timers = new TimerTable(realm, this.loop, this.time);
    this.timers.install();
    const buses = options.busSensors;
    this.pins = new PinApi(realm, this.loop, options.bank, () => this.seconds(),
      buses ? (pin) => buses.dht.get(pin)?.frame() ?? null : null);
    this.pins.install();
    installOneWire(realm, (v) => this.pins.nameOf(v), (pin) => buses?.oneWire.get(pin));
    this.wifi = new WifiRadio(realm, this.loop, options.wifiDelayMs ?? DEFAULT_WIFI_DELAY_MS, options.wifiJoined ?? false);
    this.net = new NetStack(realm, this.loop, {
      route: options.route,
      tap: options.tap,
      onSocket: options.onSocket,
      linkUp: () => this.wifi.connected,
    });

    const self = this;
    const pinName = (v: object) => this.pins.nameOf(v);
    // Espruino's root scope is reachable as `global` (the firmware hangs relaymqStop() there).
    realm.setGlobal("global", realm.context);
    realm.setGlobal("console", realm.obj({
      log(...args: unknown[]): void {
        print(args.map((a) => formatArg(a, pinName)).join(" "));
      },
    }));
    realm.setGlobal("getTime", function getTime(): number {
      return self.seconds();
    });
    realm.setGlobal("process", realm.obj({
      memory(): object {
        return self.meter.memory(realm);
      },
    }));
    realm.setGlobal("E", this.makeE());
    realm.setGlobal("require", makeRequire(realm, {
      net: () => this.net.module(false),
      tls: () => this.net.module(true),
      Wifi: () => this.wifi.module(),
      Storage: () => storageModule(realm, options.storage),
      ESP32: () => esp32Module(realm),
      TelnetServer: () => telnetModule(realm, (mode) => {
        this.telnet = mode as "on" | "off";
      }),
    }));
  }

  /**
   * The telnet console's mode: "on" from power-on, as the ESP32 release has it (src: libs/network/telnet,
   * "hardcoded for now"), until the firmware sets it.
   */
  telnet: "on" | "off" = "on";

  /** context -> the board's vm context (its global object). */
  get context(): vm.Context {
    return this.realm.context;
  }

  /** memoryUsage() -> process.memory().usage as the board would read it (an estimate: memory.ts). */
  memoryUsage(): number {
    return this.meter.usage();
  }

  /** openSockets -> board sockets made and not yet closed. */
  get openSockets(): number {
    return this.net.openCount;
  }

  /**
   * run(source, filename): runs the script, then E.on("init") handlers and onInit(), as a boot does
   * (Espruino's jsiSoftInit runs them in that order). Throws the script's error when its top level throws.
   */
  run(source: string, filename: string): void {
    if (this.loop.halted) throw new Error("the board is halted; make a new shim to boot again");
    vm.runInContext(source, this.realm.context, { filename });
    this.fire("init");
    const onInit = (this.realm.context as Record<string, unknown>).onInit;
    if (typeof onInit === "function") this.loop.call(onInit, this.realm.context, []);
  }

  /**
   * kill(): what reset()/load() do on the board: the E.on("kill") handlers run, then the program is gone
   * and its sockets with it, without sending what the handlers wrote (measured on the interpreter).
   */
  kill(): void {
    this.net.dropping();
    this.fire("kill");
    this.halt();
  }

  /**
   * call(name) -> false when the program defines no global function `name`; else runs it as typed at the
   * board's console (an exception is printed as Uncaught) and returns true.
   */
  call(name: string): boolean {
    const fn = (this.realm.context as Record<string, unknown>)[name];
    if (typeof fn !== "function" || this.loop.halted) return false;
    this.loop.call(fn, this.realm.context, []);
    return true;
  }

  /** halt(): a power cut: every timer and watch gone, every socket destroyed at once; nothing runs afterwards. Idempotent. */
  halt(): void {
    this.loop.halt();
    this.timers.clearAll();
    this.pins.clearAll();
    this.net.halt();
  }

  /** wifiDown(): the access point disappears: "disconnected", and joins and connects fail until wifiUp(). */
  wifiDown(): void {
    this.wifi.down();
  }

  /** wifiUp(): the access point is back; the firmware has to join it again. */
  wifiUp(): void {
    this.wifi.up();
  }

  /**
   * settlingSince() -> performance.now() since when queued events or sockets opening or closing have been
   * waiting, or null: what the simulator's virtual time lets finish before it moves on.
   */
  settlingSince(): number | null {
    const a = this.loop.queuedSince();
    const b = this.net.settlingSince();
    return a === null ? b : b === null ? a : Math.min(a, b);
  }

  /** getTime(): seconds since this board booted. */
  private seconds(): number {
    return (this.time.now() - this.bootedAt) / 1000;
  }

  private fire(event: string): void {
    for (const fn of (this.handlers.get(event) ?? []).slice()) this.loop.call(fn, this.realm.context, []);
  }

  private makeE(): object {
    const self = this;
    const realm = this.realm;
    const U8 = (realm.context as Record<string, unknown>).Uint8Array as new (n: number) => Uint8Array;
    return realm.obj({
      toString(...args: unknown[]): string {
        // One argument is the firmware's every-packet case (E.toString(u8.subarray(...))).
        return args.length === 1 ? latin1Of(args[0]) : args.map(latin1Of).join("");
      },
      toUint8Array(...args: unknown[]): Uint8Array {
        const s = args.map(latin1Of).join("");
        const u = new U8(s.length);
        Buffer.from(u.buffer, u.byteOffset, u.byteLength).write(s, "latin1");
        return u;
      },
      toArrayBuffer(str: unknown): ArrayBuffer {
        // The interpreter's buffer shares the string's bytes; a string cannot be shared here, so a copy
        // (the firmware only reads it).
        const s = String(str);
        const u = new U8(s.length);
        Buffer.from(u.buffer, u.byteOffset, u.byteLength).write(s, "latin1");
        return u.buffer as ArrayBuffer;
      },
      getSizeOf(v: unknown): number {
        return sizeOf(v);
      },
      reboot(): void {
        // Espruino's E.reboot(): the kill handlers run, then the chip restarts (jsiKill, jshReboot).
        self.kill();
        if (self.onReboot) self.onReboot();
      },
      on(event: unknown, fn: unknown): void {
        if (typeof fn !== "function") return;
        const name = String(event);
        const list = self.handlers.get(name) ?? [];
        list.push(fn);
        self.handlers.set(name, list);
      },
    });
  }
}

/** Espruino's E.toString/E.toUint8Array arguments as 8-bit chars: strings, bytes, arrays of them. */
function latin1Of(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String.fromCharCode(v & 255);
  if (types.isUint8Array(v) || types.isUint8ClampedArray(v) || types.isInt8Array(v)) {
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1");
  }
  if (types.isTypedArray(v)) return String.fromCharCode(...Array.from(v as ArrayLike<number>, (x) => x & 255));
  if (types.isAnyArrayBuffer(v)) return Buffer.from(v as ArrayBuffer).toString("latin1");
  if (Array.isArray(v)) return v.map(latin1Of).join("");
  if (typeof v === "object" && v !== null && "data" in v && "count" in v) {
    const o = v as { data: unknown; count: unknown };
    return latin1Of(o.data).repeat(Math.max(0, Number(o.count) | 0));
  }
  return "";
}
