// The soak's other side: an MQTT.js client straight on the broker (not behind the fault proxy) that sends
// QoS 1 commands at a steady pace, relay after relay, each relay's alternating ON and OFF, every one
// numbered (judge.ts), and counts the board's telemetry and sensor reports as they arrive.
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames } from "../../firmware/device/topics";
import { Peer } from "../support/mqtt-peer";
import { commandPayload } from "./judge";

export class Commander {
  /** Commands published so far, and how many the broker acknowledged. */
  sent = 0;
  accepted = 0;
  on = 0;
  off = 0;
  telemetry = 0;
  sensorReports = 0;
  private readonly next: boolean[];
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    readonly peer: Peer,
    private readonly config: DeviceConfig,
    private readonly onAccepted: (k: number, relay: number, on: boolean) => void,
  ) {
    // Each relay's first command switches it on (the board boots with every relay off).
    this.next = config.relays.map(() => true);
    const names = topicNames(config);
    peer.onMessage = (m) => {
      if (m.topic === names.telemetry) this.telemetry++;
      else if (names.sensorState.indexOf(m.topic) >= 0) this.sensorReports++;
    };
  }

  /** Commander.start(port, config, onAccepted) -> connected and subscribed to the board's reports. */
  static async start(port: number, config: DeviceConfig, onAccepted: (k: number, relay: number, on: boolean) => void): Promise<Commander> {
    const peer = await Peer.connect(port, { clientId: "soak-commander", keepalive: 5 });
    const c = new Commander(peer, config, onAccepted);
    const names = topicNames(config);
    await peer.subscribe(Object.fromEntries([names.telemetry, ...names.sensorState].map((t) => [t, 0])));
    return c;
  }

  /** command(): the next command, QoS 1; the broker's PUBACK makes it accepted. */
  command(): void {
    const k = this.sent++;
    const relay = k % this.config.relays.length;
    const on = this.next[relay];
    this.next[relay] = !on;
    if (on) this.on++;
    else this.off++;
    const topic = topicNames(this.config).relaySet[relay];
    this.peer.client.publish(topic, commandPayload(on ? "ON" : "OFF", k), { qos: 1 }, (err) => {
      if (err) return;
      this.accepted++;
      this.onAccepted(k, relay, on);
    });
  }

  /** every(ms): a command every ms until stop(). */
  every(ms: number): void {
    this.timer = setInterval(() => this.command(), ms);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** unacknowledged() -> commands published that the broker has not acknowledged yet. */
  unacknowledged(): number {
    return this.sent - this.accepted;
  }
}
