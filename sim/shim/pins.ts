// The GPIO API of the board: the pin globals D0..D39, Pin(), pinMode/digitalWrite/digitalRead/
// analogRead and setWatch/clearWatch, all on the simulator's PinBank (which owns levels, pulls and
// debouncing). Watch reports reach the firmware as a later event, never inside the call that changed
// the pin, as on the board where edges are queued for the idle loop.
import type { PinBank } from "../hardware/pin-bank";
import type { DhtFrame } from "../hardware/dht22";
import type { EventLoop } from "./loop";
import type { Realm } from "./realm";

/** What answers on a pin when the firmware lets go of a line it held low (a DHT22's pulse train), or null. */
export type PinResponder = (pin: string) => DhtFrame | null;

/** ESP32 GPIO numbers: D0..D39. */
export const PIN_COUNT = 40;

interface WatchEntry {
  bankId: number;
  fn: unknown;
  repeat: boolean;
  pin: object;
  edge: string;
  /** Time of the previous report, in seconds; undefined before the first. */
  lastTime: number | undefined;
}

export class PinApi {
  /** Pin object -> its name; the name is kept out of the firmware's sight, as on the board. */
  private readonly names = new WeakMap<object, string>();
  private readonly pins: object[] = [];
  private readonly watches = new Map<number, WatchEntry>();

  /** new PinApi(realm, loop, bank, seconds): seconds() is getTime(), the clock watch reports carry. */
  constructor(
    private readonly realm: Realm,
    private readonly loop: EventLoop,
    private readonly bank: PinBank,
    private readonly seconds: () => number,
    private readonly responder: PinResponder | null = null,
  ) {}

  /** nameOf(v) -> "D26" for a pin object of this board, else undefined. */
  nameOf(v: unknown): string | undefined {
    return typeof v === "object" && v !== null ? this.names.get(v) : undefined;
  }

  /** install(): defines the pin globals and functions in the context. */
  install(): void {
    const self = this;
    const bank = this.bank;
    const proto = this.realm.obj({
      read(this: unknown): boolean {
        return bank.read(self.name(this));
      },
      write(this: unknown, v: unknown): void {
        bank.write(self.name(this), level(v));
      },
      set(this: unknown): void {
        bank.write(self.name(this), true);
      },
      reset(this: unknown): void {
        bank.write(self.name(this), false);
      },
      mode(this: unknown, m: unknown): void {
        self.setMode(self.name(this), m);
      },
      getMode(this: unknown): string {
        return bank.modeOf(self.name(this));
      },
      toString(this: unknown): string {
        return self.nameOf(this) ?? "undefined";
      },
    });
    // Pin("D26"), new Pin(26): the same object as the global D26.
    const Pin = function Pin(v: unknown): object {
      return self.pins[self.index(v)];
    };
    Pin.prototype = proto;
    Object.defineProperty(proto, "constructor", { value: Pin, writable: true, configurable: true, enumerable: false });
    for (let i = 0; i < PIN_COUNT; i++) {
      const p = Object.create(proto) as object;
      this.names.set(p, "D" + i);
      this.pins.push(p);
      this.realm.setGlobal("D" + i, p);
    }
    const g = (name: string, fn: (...a: any[]) => unknown) => this.realm.setGlobal(name, fn);
    g("Pin", Pin);
    g("pinMode", function pinMode(pin: unknown, m: unknown) {
      self.setMode(self.name(pin), m);
    });
    g("digitalWrite", function digitalWrite(pin: unknown, v: unknown) {
      bank.write(self.name(pin), level(v));
    });
    g("digitalRead", function digitalRead(pin: unknown) {
      return bank.read(self.name(pin)) ? 1 : 0;
    });
    g("analogRead", function analogRead(pin: unknown) {
      return bank.analog(self.name(pin));
    });
    g("setWatch", function setWatch(fn: unknown, pin: unknown, options?: unknown) {
      return self.watch(fn, pin, options);
    });
    g("clearWatch", function clearWatch(...id: unknown[]) {
      if (id.length === 0 || id[0] === undefined) self.clearAll();
      else self.clear(id[0]);
    });
  }

  /** clearAll(): removes every watch the firmware made (clearWatch(), or a power cut). */
  clearAll(): void {
    for (const w of this.watches.values()) this.bank.unwatch(w.bankId);
    this.watches.clear();
  }

  private index(v: unknown): number {
    const known = this.nameOf(v);
    if (known !== undefined) return Number(known.slice(1));
    let n = NaN;
    if (typeof v === "number") n = v;
    else if (typeof v === "string" && /^D?\d+$/.test(v)) n = Number(v.replace("D", ""));
    if (!Number.isInteger(n) || n < 0 || n >= PIN_COUNT) throw this.realm.error("Invalid pin: " + String(v));
    return n;
  }

  private name(v: unknown): string {
    return "D" + this.index(v);
  }

  private setMode(pin: string, m: unknown): void {
    const heldLow = this.bank.modeOf(pin) === "output" && !this.bank.read(pin);
    try {
      this.bank.mode(pin, String(m));
    } catch (e) {
      throw this.realm.error((e as Error).message);
    }
    const mode = String(m);
    if (heldLow && this.responder && (mode === "input" || mode === "input_pullup")) {
      const frame = this.responder(pin);
      if (frame && frame.highUs.length > 0) this.train(pin, frame);
    }
  }

  // A device's answer, microseconds long, far below what real timers resolve: its edges reach the watches
  // on the pin as queued events with the times the chip's interrupt would have stamped, and lastTime the
  // previous edge of either direction (as Espruino keeps it), so e.time - e.lastTime is the pulse length.
  private train(pin: string, frame: DhtFrame): void {
    const edges: { t: number; level: boolean }[] = [];
    // The release is the first edge (the line rises), at once.
    const start = this.seconds();
    let t = start;
    for (let k = 0; k < frame.highUs.length; k++) {
      t += frame.highUs[k] / 1e6;
      edges.push({ t, level: false });
      t += (frame.lowUs[k] ?? 50) / 1e6;
      edges.push({ t, level: true });
    }
    for (const [id, w] of this.watches) {
      if (this.nameOf(w.pin) !== pin) continue;
      let last = start;
      for (const e of edges) {
        const lastTime = last;
        last = e.t;
        w.lastTime = e.t;
        if (w.edge !== "both" && (w.edge === "rising") !== e.level) continue;
        const event = this.realm.obj({ state: e.level, time: e.t, lastTime, pin: w.pin });
        this.loop.later(0, () => {
          if (this.watches.get(id) !== w) return;
          this.loop.call(w.fn, this.realm.context, [event]);
        });
      }
    }
  }

  private watch(fn: unknown, pin: unknown, options: unknown): number {
    if (typeof fn !== "function") throw this.realm.error("Function or String not supplied!");
    const name = this.name(pin);
    let repeat = false;
    let debounce = 0;
    let edge = "both";
    if (typeof options === "object" && options !== null) {
      const o = options as { repeat?: unknown; debounce?: unknown; edge?: unknown };
      repeat = Boolean(o.repeat);
      const d = Number(o.debounce);
      debounce = o.debounce === undefined || Number.isNaN(d) || d < 0 ? 0 : d;
      edge = edgeName(o.edge, this.realm);
    } else {
      repeat = Boolean(options);
    }
    let id = 1;
    for (const k of this.watches.keys()) if (k >= id) id = k + 1;
    const entry: WatchEntry = { bankId: 0, fn, repeat, pin: this.pins[this.index(name)], edge, lastTime: undefined };
    entry.bankId = this.bank.watch(name, edge, debounce, (state) => this.reported(id, entry, state));
    this.watches.set(id, entry);
    return id;
  }

  private reported(id: number, w: WatchEntry, state: boolean): void {
    if (this.watches.get(id) !== w) return;
    const time = this.seconds();
    const lastTime = w.lastTime;
    w.lastTime = time;
    // A one-shot watch is gone as soon as its edge is seen, so a second edge cannot report again.
    if (!w.repeat) this.clear(id);
    const event = this.realm.obj({ state, time, lastTime, pin: w.pin });
    this.loop.later(0, () => {
      if (w.repeat && this.watches.get(id) !== w) return; // cleared before the event was handled
      this.loop.call(w.fn, this.realm.context, [event]);
    });
  }

  private clear(id: unknown): void {
    const n = Number(id);
    const w = this.watches.get(n);
    if (!w) throw this.realm.error("Unknown Watch " + String(id));
    this.bank.unwatch(w.bankId);
    this.watches.delete(n);
  }
}

/** Espruino's digitalWrite: a boolean as is, anything else by its number being non-zero. */
function level(v: unknown): boolean {
  return typeof v === "boolean" ? v : Number(v) !== 0 && !Number.isNaN(Number(v));
}

/** setWatch's edge: "rising"/"falling"/"both" or 1/-1/0; anything else throws, as Espruino does. */
function edgeName(e: unknown, realm: Realm): string {
  if (e === undefined) return "both";
  if (typeof e === "number") return e > 0 ? "rising" : e < 0 ? "falling" : "both";
  if (e === "rising" || e === "falling" || e === "both") return e;
  throw realm.typeError("'edge' in setWatch should be 1, -1, 0, 'rising', 'falling' or 'both'");
}
