// Local push buttons. A press acts on its relay through the Relays methods, so interlock, pulse and
// fail-safe hold as for an MQTT command, and the new state is published like any other change (at once,
// or when the link is back). Debounce is the Pins seam's job (Espruino's setWatch does it natively). A
// long press (holdMs) may have its own action: restart. State lives in typed arrays indexed like
// config.buttons; the watch and hold callbacks are bound once here.
import { allocBytes } from "../mqtt/bytes";
import { ButtonConfig, RelayConfig } from "./config";
import { Pins, Timers } from "../platform";
import { Relays } from "./relays";

/** Told when a button was held for its holdMs (only buttons with a hold action). */
export interface ButtonListener {
  buttonHeld(index: number): void;
}

const ACT_TOGGLE = 0;
const ACT_ON = 1;
const ACT_OFF = 2;
const ACT_MOMENTARY = 3;
const ACT_NONE = 4;
const ACTIONS = ["toggle", "on", "off", "momentary", "none"];

export class Buttons {
  readonly count: number;
  /** 1 while the button is pressed (debounced). */
  readonly pressed: Uint8Array;
  private readonly pin: string[] = [];
  private readonly pullMode: string[] = [];
  /** Relay index, or -1 (action "none"). */
  private readonly relay: Int16Array;
  private readonly action: Uint8Array;
  private readonly activeLow: Uint8Array;
  private readonly debounceMs: Float64Array;
  /** holdMs when the button has a hold action, else -1. */
  private readonly holdMs: Float64Array;
  private readonly holdTimer: Float64Array;
  /** The hold action ran during the current press: its release does nothing more. */
  private readonly held: Uint8Array;
  private readonly watchId: Float64Array;
  private readonly watchFn: ((level: boolean, timeMs: number) => void)[] = [];
  /** Runs button i's hold action: one callback for every button's timer (timers.after passes i). */
  private readonly holdFn: (i: number) => void;
  private readonly pins: Pins;
  private readonly timers: Timers;
  private readonly relays: Relays;
  private readonly listener: ButtonListener;

  /** new Buttons(config, relays config, pins, timers, relays, listener): throws on an unknown relay name. */
  constructor(
    config: ButtonConfig[], relayConfig: RelayConfig[], pins: Pins, timers: Timers, relays: Relays, listener: ButtonListener,
  ) {
    const n = config.length;
    this.count = n;
    this.pins = pins;
    this.timers = timers;
    this.relays = relays;
    this.listener = listener;
    this.pressed = allocBytes(n);
    this.relay = new Int16Array(n);
    this.action = allocBytes(n);
    this.activeLow = allocBytes(n);
    this.debounceMs = new Float64Array(n);
    this.holdMs = new Float64Array(n);
    this.holdTimer = new Float64Array(n);
    this.held = allocBytes(n);
    this.watchId = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const b = config[i];
      let r = -1;
      for (let j = 0; j < relayConfig.length; j++) if (relayConfig[j].name === b.relay) r = j;
      const act = ACTIONS.indexOf(b.action);
      if (act < 0 || (r < 0 && act !== ACT_NONE)) throw new Error("button " + b.name + ": no relay " + b.relay);
      this.relay[i] = r;
      this.action[i] = act;
      this.pin.push(b.pin);
      this.pullMode.push(b.pull === "up" ? "input_pullup" : b.pull === "down" ? "input_pulldown" : "input");
      this.activeLow[i] = b.activeLow ? 1 : 0;
      this.debounceMs[i] = b.debounceMs;
      this.holdMs[i] = b.holdAction === "none" ? -1 : b.holdMs;
      this.holdTimer[i] = -1;
      this.watchId[i] = -1;
      this.watchFn.push(this.bindEdge(i));
    }
    this.holdFn = this.bindHold();
  }

  // Made outside the constructor, whose scope a closure would keep alive (see Device.clientEvents).
  private bindEdge(i: number): (level: boolean, timeMs: number) => void {
    const self = this;
    return function (level: boolean): void {
      self.edge(i, level);
    };
  }

  private bindHold(): (i: number) => void {
    const self = this;
    return function (i: number): void {
      self.holdTimer[i] = -1;
      self.held[i] = 1;
      self.listener.buttonHeld(i);
    };
  }

  /** start(): pin modes and watches (both edges, with each button's debounce); a button held at boot does nothing. */
  start(): void {
    for (let i = 0; i < this.count; i++) {
      const pin = this.pin[i];
      this.pins.mode(pin, this.pullMode[i]);
      this.pressed[i] = this.pins.read(pin) !== (this.activeLow[i] === 1) ? 1 : 0;
      // Held through the boot (or stuck): its release must not act, nor its hold restart the board again.
      this.held[i] = this.pressed[i];
      this.watchId[i] = this.pins.watch(pin, "both", this.debounceMs[i], this.watchFn[i]);
    }
  }

  /** stop(): removes the watches and pending hold timers. */
  stop(): void {
    for (let i = 0; i < this.count; i++) {
      this.cancelHold(i);
      if (this.watchId[i] === -1) continue;
      this.pins.unwatch(this.watchId[i]);
      this.watchId[i] = -1;
    }
  }

  // A debounced level: press or release (a repeated level, a missed edge, is no change).
  private edge(i: number, level: boolean): void {
    const down = level !== (this.activeLow[i] === 1) ? 1 : 0;
    if (down === this.pressed[i]) return;
    this.pressed[i] = down;
    const act = this.action[i];
    const r = this.relay[i];
    const hasHold = this.holdMs[i] >= 0;
    if (down === 1) {
      this.held[i] = 0;
      if (hasHold) this.holdTimer[i] = this.timers.after(this.holdMs[i], this.holdFn, i);
      if (act === ACT_MOMENTARY) this.relays.hold(r, true);
      else if (!hasHold) this.act(r, act);
      return;
    }
    this.cancelHold(i);
    if (act === ACT_MOMENTARY) this.relays.hold(r, false);
    // With a hold action a short press acts on release, so a long press does only what it is for.
    else if (hasHold && this.held[i] === 0) this.act(r, act);
  }

  private act(r: number, act: number): void {
    if (act === ACT_TOGGLE) this.relays.toggle(r);
    else if (act === ACT_ON) this.relays.set(r, true);
    else if (act === ACT_OFF) this.relays.set(r, false);
  }

  private cancelHold(i: number): void {
    const t = this.holdTimer[i];
    if (t === -1) return;
    this.holdTimer[i] = -1;
    this.timers.cancel(t);
  }
}
