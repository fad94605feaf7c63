// The board's memory as the firmware sees it: process.memory() and E.getSizeOf(), in Espruino's
// 14-byte JsVars (docs/espruino.md).
//
// THIS IS AN ESTIMATE, not a measurement. V8 does not count JsVars, so:
// - process.memory().usage = a fixed base (the interpreter's own variables) + the JsVars of every typed
//   array and ArrayBuffer the firmware allocated and still holds. Those are the big, deliberate
//   allocations (buffers meant to live for the whole program), so a firmware that allocates a buffer
//   per packet shows as usage growing. Strings, objects and closures are NOT counted. A buffer is
//   subtracted once V8 has garbage-collected it, which happens later than Espruino's reference
//   counting would free it (and only when V8 decides to collect).
// - E.getSizeOf(x) applies the cost model measured on the interpreter to x's contents.
import { types } from "node:util";
import type { Realm } from "./realm";

/** Bytes per JsVar on the ESP32 build. */
export const BLOCK_SIZE = 14;
/**
 * JsVars counted as in use before the firmware allocates anything: a round guess for the interpreter and
 * its built-in modules (an empty Linux build uses 39; an ESP32 with Wifi and sockets up uses more).
 */
export const BASE_VARS = 200;

/** The typed-array constructors the firmware can call; each is wrapped to account its allocations. */
const TYPED_ARRAYS = [
  "Uint8Array", "Int8Array", "Uint8ClampedArray", "Uint16Array", "Int16Array",
  "Uint32Array", "Int32Array", "Float32Array", "Float64Array",
];

/** bufferVars(bytes) -> JsVars of a typed array owning `bytes` bytes: new Uint8Array(1024) costs 77. */
export function bufferVars(bytes: number): number {
  return Math.ceil(bytes / BLOCK_SIZE) + 3;
}

/** stringVars(length) -> JsVars of a string: about 12 characters per var, plus its head (64 chars: 7). */
export function stringVars(length: number): number {
  return length <= 4 ? 1 : Math.ceil(length / 12) + 1;
}

/**
 * sizeOf(v) -> estimated JsVars of v and everything it holds (E.getSizeOf): a 10-number array 11, an
 * element or property ~2 (its name plus its value; small integers and booleans live in the name).
 */
export function sizeOf(v: unknown, seen: Set<object> = new Set()): number {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean") return 1;
  if (typeof v === "string") return stringVars(v.length);
  if (typeof v !== "object" && typeof v !== "function") return 1;
  const o = v as object;
  if (seen.has(o)) return 0;
  seen.add(o);
  if (types.isTypedArray(o) || types.isDataView(o)) return bufferVars((o as ArrayBufferView).buffer.byteLength);
  if (types.isAnyArrayBuffer(o)) return bufferVars((o as ArrayBuffer).byteLength) - 1;
  // A function's code stays in flash (.bootcde); its head and scope link remain.
  let n = typeof o === "function" ? 2 : 1;
  for (const k of Object.keys(o)) {
    n += k.length <= 4 ? 1 : stringVars(k.length);
    const x = (o as Record<string, unknown>)[k];
    if (!(typeof x === "boolean" || x === null || x === undefined || (typeof x === "number" && Number.isInteger(x)))) {
      n += sizeOf(x, seen);
    }
  }
  return n;
}

export class MemoryMeter {
  private live = 0;
  // Subtracts a buffer's cost once V8 collected it; per meter, so it goes when the board does.
  private readonly freed = new FinalizationRegistry<number>((vars) => {
    this.live -= vars;
  });

  /** new MemoryMeter(total): total is the board's JsVar count (process.memory().total). */
  constructor(readonly total: number) {}

  /** usage() -> estimated JsVars in use (see the top of this file). */
  usage(): number {
    return Math.min(this.total, BASE_VARS + this.live);
  }

  /** memory(realm) -> process.memory()'s answer, as an object of the board. */
  memory(realm: Realm): { free: number; usage: number; total: number; blocksize: number } {
    const usage = this.usage();
    return realm.obj({ free: this.total - usage, usage, total: this.total, blocksize: BLOCK_SIZE });
  }

  /**
   * wrap(realm): replaces the context's typed-array and ArrayBuffer constructors by proxies that count
   * what each `new` allocates. Views over an existing buffer (subarray, new Uint8Array(buf, off, n))
   * own nothing and are not counted.
   */
  wrap(realm: Realm): void {
    const g = realm.context as Record<string, unknown>;
    for (const name of [...TYPED_ARRAYS, "ArrayBuffer"]) {
      // Builtins live on the context's real global, not on the sandbox object: ask the context.
      const target = realm.run<new (...args: unknown[]) => object>(name);
      const isBuffer = name === "ArrayBuffer";
      const proxy: unknown = new Proxy(target, {
        construct: (t, args, newTarget) => {
          const made = Reflect.construct(t, args, newTarget === proxy ? t : newTarget) as object;
          const owns = isBuffer || !(args.length > 0 && types.isAnyArrayBuffer(args[0]));
          if (owns) {
            const bytes = isBuffer ? (made as ArrayBuffer).byteLength : (made as ArrayBufferView).byteLength;
            const vars = isBuffer ? bufferVars(bytes) - 1 : bufferVars(bytes);
            this.live += vars;
            this.freed.register(made, vars);
          }
          return made;
        },
      });
      g[name] = proxy;
      // u8.constructor === Uint8Array holds in the board, and slice()/subarray() (which build through
      // the constructor) are counted by the same rule.
      (target.prototype as { constructor: unknown }).constructor = proxy;
    }
  }
}
