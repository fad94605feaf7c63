// The System seam on Node: free memory in KB (the seam's unit in the simulator), from V8's heap limit, and
// the simulator's station: the board reaches its broker through the host, at 127.0.0.1, with a fixed
// signal. Each virtual board gets its own MAC (locally administered, from its id), so Home Assistant
// keeps simulated boards apart. Nothing allocates after nodeSystem().
import { createHash } from "node:crypto";
import v8 from "node:v8";
import type { System } from "../../firmware/platform";

/** The signal the simulated access point shows every board, dBm. */
export const SIM_RSSI = -55;
export const SIM_IP = "127.0.0.1";

/** simulatedMac(id) -> "02:xx:xx:xx:xx:xx": a locally administered address derived from the board id. */
export function simulatedMac(id: string): string {
  const h = createHash("sha256").update(id).digest();
  const bytes = [0x02, h[0], h[1], h[2], h[3], h[4]];
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** nodeSystem(id) -> the System of the virtual board with this id. */
export function nodeSystem(id: string): System {
  const mac = simulatedMac(id);
  return {
    freeMemory(): number {
      const h = v8.getHeapStatistics();
      return Math.floor((h.heap_size_limit - h.used_heap_size) / 1024);
    },
    mac: () => mac,
    rssi: () => SIM_RSSI,
    ip: () => SIM_IP,
  };
}
