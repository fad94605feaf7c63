// The System seam on Node: free memory in KB (the seam's unit in the simulator), from V8's heap limit.
import v8 from "node:v8";
import type { System } from "../../firmware/platform";

export const nodeSystem: System = {
  freeMemory(): number {
    const h = v8.getHeapStatistics();
    return Math.floor((h.heap_size_limit - h.used_heap_size) / 1024);
  },
};
