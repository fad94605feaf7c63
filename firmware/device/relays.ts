// The relays: pin levels (active-low wiring), power-on state (off, on, or restored from Storage),
// pulse (automatic OFF), interlock groups, and the fail-safe state taken when the broker is gone.
// All state lives in typed arrays indexed like config.relays; timer callbacks are bound once here.
import { allocBytes } from "../mqtt/bytes";
import { RelayConfig } from "./config";
import { Pins, Timers, Storage, Clock } from "../platform";

/** Told about every change of a relay's state, after its pin was written. */
export interface RelayListener {
  relayChanged(index: number, on: boolean): void;
}

/** Espruino's Storage allows file names of at most 28 characters. */
const MAX_KEY = 28;
/**
 * A restore relay's state reaches Storage this long after its first change, and no more often: flash
 * wears, so a burst of any length costs one write per relay per period, and a state that held this long
 * survives a power cut.
 */
export const SAVE_MS = 2000;

/**
 * storageKey(name) -> the Storage key for a relay's last state, "relay_<name>"; a long name is cut and
 * given a hash of the whole name so two keys never collide. Start-up only.
 */
export function storageKey(name: string): string {
  const key = "relay_" + name;
  if (key.length <= MAX_KEY) return key;
  let h = 5381;
  for (let i = 0; i < name.length; i++) h = (h * 33 + name.charCodeAt(i)) % 4294967296;
  const hash = h.toString(16);
  return key.substr(0, MAX_KEY - 1 - hash.length) + "_" + hash;
}

export class Relays {
  readonly count: number;
  /** 1 when the relay is on (energised), whatever the pin level. */
  readonly on: Uint8Array;
  private readonly pin: string[] = [];
  private readonly activeLow: Uint8Array;
  /** Interlock group number, or -1. */
  private readonly group: Int16Array;
  private readonly pulseMs: Float64Array;
  /** Timer id of the running pulse, or -1. */
  private readonly pulseTimer: Float64Array;
  /** Ends relay i's pulse: one callback for every relay's timer (timers.after passes i). */
  private readonly pulseEnd: (i: number) => void;
  /** Storage key when powerOn is "restore", else null (nothing is written). */
  private readonly key: (string | null)[] = [];
  /** What Storage holds for each restore relay (1 on, 0 off or nothing); writes happen only on a difference. */
  private readonly saved: Uint8Array;
  /** 1 while a momentary button holds the relay on (Relays.hold): not a state to restore. */
  private readonly held: Uint8Array;
  /** Timer id of the pending save, or -1. */
  private saveTimer = -1;
  private readonly saveLater: () => void;
  /** Fail-safe delay in ms, or -1 for none; the state to take; whether it was taken this outage. */
  private readonly failsafeMs: Float64Array;
  private readonly failsafeOn: Uint8Array;
  private readonly failsafeDone: Uint8Array;
  /** 1 for a relay whose power-on state is "on" (the config itself is not kept: ~20 JsVars a relay). */
  private readonly startsOn: Uint8Array;
  private readonly pins: Pins;
  private readonly timers: Timers;
  private readonly storage: Storage;
  private readonly clock: Clock;
  private readonly listener: RelayListener;
  /** When the current outage began (start() counts as one until the first connect). */
  private offlineSince = 0;
  /** start() is restoring states: what Storage gave is not written back. */
  private restoring = 0; // 0/1, not a boolean: one JsVar less on the interpreter

  /** new Relays(config, io, listener): allocates; touches no pin yet. */
  constructor(
    config: RelayConfig[], pins: Pins, timers: Timers, storage: Storage, clock: Clock, listener: RelayListener,
  ) {
    const n = config.length;
    this.count = n;
    this.pins = pins;
    this.timers = timers;
    this.storage = storage;
    this.clock = clock;
    this.listener = listener;
    this.on = allocBytes(n);
    this.activeLow = allocBytes(n);
    this.group = new Int16Array(n);
    this.pulseMs = new Float64Array(n);
    this.pulseTimer = new Float64Array(n);
    this.failsafeMs = new Float64Array(n);
    this.failsafeOn = allocBytes(n);
    this.failsafeDone = allocBytes(n);
    this.saved = allocBytes(n);
    this.held = allocBytes(n);
    this.startsOn = allocBytes(n);
    this.saveLater = this.bindSave();
    this.pulseEnd = this.bindPulseEnd();
    const groups: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = config[i];
      this.pin.push(r.pin);
      this.activeLow[i] = r.activeLow ? 1 : 0;
      this.startsOn[i] = r.powerOn === "on" ? 1 : 0;
      this.pulseMs[i] = r.pulseMs > 0 ? r.pulseMs : 0;
      this.pulseTimer[i] = -1;
      this.key.push(r.powerOn === "restore" ? storageKey(r.name) : null);
      this.failsafeMs[i] = r.failsafe === null ? -1 : r.failsafe.afterSec * 1000;
      this.failsafeOn[i] = r.failsafe !== null && r.failsafe.state === "on" ? 1 : 0;
      let g = -1;
      if (r.interlock !== null) {
        g = groups.indexOf(r.interlock);
        if (g < 0) {
          g = groups.length;
          groups.push(r.interlock);
        }
      }
      this.group[i] = g;
    }
  }

  // Made outside the constructor, whose scope a closure would keep alive (see Device.clientEvents).
  private bindSave(): () => void {
    const self = this;
    return function (): void {
      self.saveTimer = -1;
      self.save();
    };
  }

  private bindPulseEnd(): (i: number) => void {
    const self = this;
    return function (i: number): void {
      self.pulseTimer[i] = -1;
      self.set(i, false);
    };
  }

  /**
   * start(): drives every pin to its power-on state (off, on, or the state Storage kept), interlock
   * applied in config order. The level is written before the pin is made an output, so an active-low
   * relay does not click on while the pin comes up.
   */
  start(): void {
    for (let i = 0; i < this.count; i++) {
      const pin = this.pin[i];
      this.pins.write(pin, this.activeLow[i] === 1);
      this.pins.mode(pin, "output");
    }
    this.restoring = 1;
    for (let i = 0; i < this.count; i++) {
      const key = this.key[i];
      if (key !== null && this.storage.read(key) === "1") this.saved[i] = 1;
      if (this.startsOn[i] === 1 || this.saved[i] === 1) this.set(i, true);
    }
    this.restoring = 0;
  }

  /**
   * stop(): saves a pending restore state now, then cancels running pulses (the relays keep their state;
   * a pulsing relay was saved as the OFF it ends in).
   */
  stop(): void {
    if (this.saveTimer !== -1) {
      this.timers.cancel(this.saveTimer);
      this.saveTimer = -1;
      this.save();
    }
    for (let i = 0; i < this.count; i++) this.cancelPulse(i);
  }

  // Writes each restore relay whose lasting state differs from what Storage holds. A relay on for a pulse
  // or a momentary press is saved as the OFF it ends in: after a reboot or a power cut in between, nothing
  // would end it. A failed write leaves it differing, so the next change tries again.
  private save(): void {
    for (let i = 0; i < this.count; i++) {
      const key = this.key[i];
      const lasting = this.pulseTimer[i] !== -1 || this.held[i] === 1 ? 0 : this.on[i];
      if (key === null || this.saved[i] === lasting) continue;
      if (this.storage.write(key, lasting === 1 ? "1" : "0")) this.saved[i] = lasting;
    }
  }

  /**
   * set(i, on) -> whether the state changed. Either ends a pulse under way (a PULSE, or the relay's own
   * pulseMs): an ON holds from now on, unless the relay has pulseMs, which it then starts again. ON first
   * turns the other relays of its interlock group OFF (their pins change before this one).
   */
  set(i: number, on: boolean): boolean {
    // No return before the last line: the interpreter lexes all that follows a return made inside a
    // block, ~450 instructions a byte (docs/espruino.md, "Cost model"); and no call when no pulse runs.
    if (this.pulseTimer[i] !== -1) this.cancelPulse(i);
    if (on && this.group[i] >= 0) {
      const g = this.group[i];
      for (let j = 0; j < this.count; j++) if (j !== i && this.group[j] === g && this.on[j] === 1) this.set(j, false);
    }
    // What was apply() is here: a call fewer for every command (the interpreter's cost model).
    const changed = (this.on[i] === 1) !== on;
    if (changed) {
      this.on[i] = on ? 1 : 0;
      this.pins.write(this.pin[i], on !== (this.activeLow[i] === 1));
      if (this.key[i] !== null && this.restoring === 0) this.saveSoon();
      this.listener.relayChanged(i, on);
    }
    if (on && this.pulseMs[i] > 0) this.pulseTimer[i] = this.timers.after(this.pulseMs[i], this.pulseEnd, i);
    return changed;
  }

  /**
   * hold(i, on) -> whether the state changed: set(i, on) for a momentary button, whose ON lasts only while
   * it is held, so it is never saved as a restore state.
   */
  hold(i: number, on: boolean): boolean {
    this.held[i] = on ? 1 : 0;
    if (this.key[i] !== null) this.saveSoon();
    return this.set(i, on);
  }

  /**
   * pulseFor(i, ms) -> whether the state changed: ON (interlock applied) for `ms`, then OFF; a relay already
   * on stays on and goes OFF `ms` from now. Replaces the configured pulseMs for this once.
   */
  pulseFor(i: number, ms: number): boolean {
    const changed = this.set(i, true);
    this.cancelPulse(i);
    this.pulseTimer[i] = this.timers.after(ms, this.pulseEnd, i);
    // An ON relay's lasting state is now the OFF its pulse ends in, though its pin did not change.
    if (this.key[i] !== null) this.saveSoon();
    return changed;
  }

  /** toggle(i) -> whether it changed (always). */
  toggle(i: number): boolean {
    return this.set(i, this.on[i] === 0);
  }

  /**
   * failsafe(): relays whose fail-safe delay has passed since outageBegan() take their safe state, once
   * per outage; a command may change them afterwards. Called (every tick) while the broker is gone.
   * It reads the clock itself: a fractional time passed in would be boxed on V8.
   */
  failsafe(): void {
    const offlineMs = this.clock.now() - this.offlineSince;
    for (let i = 0; i < this.count; i++) {
      const after = this.failsafeMs[i];
      if (after < 0 || this.failsafeDone[i] === 1 || offlineMs < after) continue;
      this.failsafeDone[i] = 1;
      // The safe state holds until a command: no pulse (a PULSE's, or the relay's own) may end it.
      this.set(i, this.failsafeOn[i] === 1);
      this.cancelPulse(i);
    }
  }

  /** outageBegan(): the broker is gone from now on (or never was, at start-up); fail-safe counts afresh. */
  outageBegan(): void {
    this.offlineSince = this.clock.now();
    this.failsafeDone.fill(0);
  }

  // A save within SAVE_MS, unless one is already due.
  private saveSoon(): void {
    if (this.saveTimer === -1) this.saveTimer = this.timers.after(SAVE_MS, this.saveLater);
  }

  private cancelPulse(i: number): void {
    const t = this.pulseTimer[i];
    if (t === -1) return;
    this.pulseTimer[i] = -1;
    this.timers.cancel(t);
  }
}
