// The soak's faults, drawn from a seeded Rng: the broker restarted (its sessions and queued messages kept
// on disk), the link stalled (no byte moves either way, as on a half-open TCP connection, for 1-3.5 s),
// the link cut (both sides closed), or cut in the middle of the next PUBLISH either way.
import type { FaultProxy } from "../../sim/broker/fault-proxy";
import type { RunningMosquitto } from "../support/mosquitto";
import type { Rng } from "../fuzz/rng";

export type FaultKind = "restart" | "stall" | "cut" | "cut mid-packet";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Faults {
  readonly counts: Record<FaultKind, number> = { restart: 0, stall: 0, cut: 0, "cut mid-packet": 0 };

  constructor(private readonly rng: Rng, private readonly proxy: FaultProxy, private readonly broker: RunningMosquitto) {}

  /** inject() -> the fault, once it is over (the broker back, the stall ended; a cut is over at once). */
  async inject(): Promise<FaultKind> {
    const kind = this.rng.weighted([[2, "restart"], [3, "stall"], [2, "cut"], [2, "cut mid-packet"]] as const);
    this.counts[kind]++;
    if (kind === "restart") await this.broker.restart();
    else if (kind === "stall") {
      this.proxy.stall();
      await sleep(this.rng.range(1000, 3500));
      this.proxy.resume();
    } else if (kind === "cut") this.proxy.closeAll();
    else {
      // The next PUBLISH either way is cut part-way; when none comes soon, the rule waits for one.
      const cut = this.proxy.cutMidPacket({ dir: this.rng.chance(0.5) ? "b2c" : "c2b", type: 3 });
      await Promise.race([cut, sleep(2000)]);
    }
    return kind;
  }

  /** total() -> faults injected. */
  total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}
