// The System seam on Espruino: free memory in JsVars (process.memory() also runs a garbage collection
// first, so cycles that reference counting cannot free are not reported as used).
import type { System } from "../platform";

export const espruinoSystem: System = {
  freeMemory: function (): number {
    return process.memory().free;
  },
  // A hard reboot (E.on("kill") handlers first): the firmware starts again from .bootcde.
  reboot: function (): void {
    E.reboot();
  },
};
