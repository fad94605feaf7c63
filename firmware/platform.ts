// The seams between the portable code (firmware/mqtt, firmware/device) and a runtime. Espruino binds
// them in firmware/espruino, Node in sim/; the logic never reaches a runtime any other way.

/** What a transport reports; bound once, called synchronously from the runtime's socket events. */
export interface TransportEvents {
  /** The byte stream is open. */
  onOpen(): void;
  /** Bytes arrived: buf[off .. off+len), valid only during the call. */
  onData(buf: Uint8Array, off: number, len: number): void;
  /**
   * The stream is gone (closed by either side, refused, or failed): reported exactly once per open(),
   * also when open() could not even start. `reason` is OK for an orderly close or a negative code.
   */
  onClose(reason: number): void;
}

/** A byte stream to the broker (TCP or TLS); its endpoint is fixed when the binding is made. */
export interface Transport {
  /**
   * open(events): starts connecting; the outcome arrives as onOpen or onClose. Never throws. After a new
   * open(), nothing from an earlier one may be reported.
   */
  open(events: TransportEvents): void;
  /** write(buf, off, len) -> false when not open. The bytes are copied or sent before it returns. */
  write(buf: Uint8Array, off: number, len: number): boolean;
  /**
   * writeAck(first, id) -> write() of the 4-byte acknowledgement [first, 2, id >> 8, id & 255] (the
   * client's PUBACK): a binding that sends strings makes it in one native call, with no array to read.
   * A binding that sends bytes may use writeAckBytes.
   */
  writeAck(first: number, id: number): boolean;
  /** close(): ends the stream; onClose follows (at once or later). Safe to call when not open. */
  close(): void;
}

// One scratch for every byte binding's acknowledgements: write() copies or sends before it returns.
// Pure, so a bundle that never calls writeAckBytes (the board's) does not make it.
const ACK = /* @__PURE__ */ new Uint8Array(4);

/** writeAckBytes(t, first, id) -> t.write() of [first, 2, id >> 8, id & 255]: writeAck for a byte binding. */
export function writeAckBytes(t: Transport, first: number, id: number): boolean {
  ACK[0] = first;
  ACK[1] = 2;
  ACK[2] = id >> 8;
  ACK[3] = id & 255;
  return t.write(ACK, 0, 4);
}

/**
 * Byte work the engine's hot paths hand to the runtime, installed once at start-up (setNatives in
 * firmware/mqtt/bytes.ts). On Espruino a JS loop costs ~47,000 instructions a byte while one native call
 * over a whole buffer costs about three JS steps; on V8 the loops are cheap and any new string is garbage.
 */
export interface Natives {
  /** copy(dst, dOff, src, sOff, len): dst[dOff ..] = src[sOff .. sOff+len). */
  copy(dst: Uint8Array, dOff: number, src: Uint8Array, sOff: number, len: number): void;
  /**
   * toText(view) -> the view's bytes as a string of 8-bit characters (one char a byte), undefined when
   * the runtime cannot make one now (Espruino with no flat block free); null where the engine should work
   * on the bytes instead (V8, where the string would be garbage). On Espruino it is the native E.toString
   * itself, so a hot path calls it with no JS call of ours between (~50,000 instructions each).
   */
  toText: ((view: Uint8Array) => string | undefined) | null;
  /** ascii(buf, off, s) -> off + s.length: s's characters (8-bit: constants, an address text) as bytes. */
  ascii(buf: Uint8Array, off: number, s: string): number;
}

/** Time, in milliseconds, from a monotonic source. */
export interface Clock {
  now(): number;
}

/** Log levels, most severe first. */
export const LOG_ERROR = 0;
export const LOG_WARN = 1;
export const LOG_INFO = 2;
export const LOG_DEBUG = 3;

/** Where the firmware reports what it did; `code` is a number from an error table or 0. */
export interface Log {
  log(level: number, code: number, message: string): void;
}

/** Digital and analog pins by name ("D26"); the board's GPIO or the simulator's virtual pins. */
export interface Pins {
  /** mode(pin, m): m is "input", "input_pullup", "input_pulldown" or "output". */
  mode(pin: string, m: string): void;
  write(pin: string, level: boolean): void;
  read(pin: string): boolean;
  /** analog(pin) -> 0..1. */
  analog(pin: string): number;
  /**
   * watch(pin, edge, debounceMs, fn) -> id: fn(level, timeMs) on each edge ("rising", "falling",
   * "both") after the level held for debounceMs.
   */
  watch(pin: string, edge: string, debounceMs: number, fn: (level: boolean, timeMs: number) => void): number;
  unwatch(id: number): void;
}

/**
 * One OneWire bus (Espruino's built-in OneWire on a pin), at the byte level the DS18B20 driver needs.
 * Every call is one native call on the board: no per-byte JS loop.
 */
export interface OneWireBus {
  /** reset() -> whether a device answered the reset with a presence pulse. */
  reset(): boolean;
  /** select(rom): reset, then Match ROM: the device with this ROM (16 hex digits, family code first) listens. */
  select(rom: string): void;
  /** skip(): Skip ROM: every device listens. */
  skip(): void;
  /** write(byte, power): one byte; power keeps the line driven high afterwards (parasite-powered sensors converting). */
  write(byte: number, power: boolean): void;
  /** read() -> one byte. */
  read(): number;
  /** search() -> the ROMs of the devices on the bus (start-up and diagnostics: it allocates). */
  search(): string[];
}

/** A timing-based read on one pin (DHT22): the host wakes the sensor, which answers with timed pulses. */
export interface PulseReader {
  /**
   * read(wakeMs, windowMs, highUs, done): drives the pin low for wakeMs, releases it to its pull-up, and
   * for windowMs records the length in microseconds of each high pulse that ends in a falling edge into
   * highUs (from 0, at most highUs.length); then done(count). One read at a time.
   */
  read(wakeMs: number, windowMs: number, highUs: Float64Array, done: (count: number) => void): void;
}

/** The buses the temperature sensors sit on, by pin; asked only for boards that have such sensors. */
export interface Buses {
  oneWire(pin: string): OneWireBus;
  pulses(pin: string): PulseReader;
}

/** Periodic and one-shot timers; callbacks are bound once by the caller. */
export interface Timers {
  /** every(ms, fn) -> id. */
  every(ms: number, fn: () => void): number;
  /**
   * after(ms, fn, arg?) -> id; fn gets arg. One callback can then serve many timers (each relay's pulse):
   * on the interpreter a closure per use costs ~9 JsVars for as long as it is kept.
   */
  after(ms: number, fn: (arg: number) => void, arg?: number): number;
  cancel(id: number): void;
}

/** Small persistent key/value storage (Espruino's Storage, a file or memory in the simulator). */
export interface Storage {
  /** read(key) -> the stored text, or null. */
  read(key: string): string | null;
  /** write(key, value) -> false when it could not be stored. */
  write(key: string, value: string): boolean;
}

/** The runtime's own figures. */
export interface System {
  /** Free memory in the runtime's unit (JsVars on Espruino, KB in the simulator). */
  freeMemory(): number;
  /** The WiFi station's MAC address, "aa:bb:cc:dd:ee:ff" in lower case, or "" when unknown. Start-up. */
  mac(): string;
  /** The signal of the access point in dBm, or NaN when unknown (not joined). */
  rssi(): number;
  /** The board's IPv4 address as dotted text, or "" when it has none. */
  ip(): string;
  /** reboot(): restarts the board (Espruino: E.reboot()); absent where nothing can (a dry start). */
  reboot?(): void;
}
