// Shared set-up for the shim-*.test.ts suites: one Espruino API shim over a PinBank, with its console
// lines, socket bytes and socket life collected, and helpers that read and run code in its context.
// Every board made here is halted by haltShimBoards(), which each suite calls from its afterEach.
import vm from "node:vm";
import { PinBank } from "../../sim/hardware/pin-bank";
import { EspruinoShim, type ShimOptions } from "../../sim/shim/espruino-shim";

const shims: EspruinoShim[] = [];

/** haltShimBoards(): halts every board shimBoard() made since the last call (call it from afterEach). */
export function haltShimBoards(): void {
  for (const s of shims.splice(0)) s.halt();
}

/**
 * shimBoard(over, bank) -> a powered board with an empty program, over `bank`; `over` replaces any option.
 * taps (every socket byte) and life ("event to[ detail]" per socket event) are recorded only where the
 * caller does not pass its own tap / onSocket.
 */
export function shimBoard(over: Partial<ShimOptions> = {}, bank = new PinBank()) {
  const lines: string[] = [];
  const taps: { dir: "out" | "in"; bytes: Uint8Array }[] = [];
  const life: string[] = [];
  const options: ShimOptions = {
    bank,
    // Socket suites dial at once; the Wifi suites and the firmware join first (wifiJoined: false).
    wifiJoined: true,
    storage: new Map(),
    route: (host, port) => ({ host, port }),
    console: (l) => lines.push(l),
    tap: (dir, bytes) => taps.push({ dir, bytes }),
    onSocket: (event, to, detail) => life.push(detail === undefined ? `${event} ${to}` : `${event} ${to} ${detail}`),
    ...over,
  };
  const shim = new EspruinoShim(options);
  shims.push(shim);
  /** js(code) -> the value of code in the board, through JSON (no cross-realm objects in assertions). */
  const js = (code: string): any => {
    const out = vm.runInContext(`JSON.stringify((function () { return ${code}; })())`, shim.context);
    return out === undefined ? undefined : JSON.parse(out);
  };
  /** exec(code): runs code in the board's root scope, for its effects. */
  const exec = (code: string): void => {
    vm.runInContext(code, shim.context);
  };
  return { shim, bank: options.bank, lines, taps, life, js, exec };
}
