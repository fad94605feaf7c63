// The Clock seam on Espruino: getTime() is seconds since boot, as a float.
import type { Clock } from "../platform";

export const espruinoClock: Clock = {
  now: function (): number {
    return getTime() * 1000;
  },
};
