// The Clock seam on Node: monotonic milliseconds.
import type { Clock } from "../../firmware/platform";

export const nodeClock: Clock = {
  now(): number {
    return performance.now();
  },
};
