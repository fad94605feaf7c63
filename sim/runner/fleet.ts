// A fleet's boards: one board.json, N boards, each with its own id, client id and topics.
import type { DeviceConfig, TopicsConfig } from "../../firmware/device/config";

/** fleetId(id, i) -> "<id>-0001" for i = 1. */
export function fleetId(id: string, i: number): string {
  return `${id}-${String(i).padStart(4, "0")}`;
}

// The loader has already put the id into the topics ("devices/{id}" became "devices/esp32-01"): every
// topic level that is the board's id becomes the new id.
function retopic(topics: TopicsConfig, from: string, to: string): TopicsConfig {
  const swap = (t: string) => t.split("/").map((level) => (level === from ? to : level)).join("/");
  return {
    prefix: swap(topics.prefix),
    status: swap(topics.status),
    relaySet: swap(topics.relaySet),
    relayState: swap(topics.relayState),
    sensorState: swap(topics.sensorState),
    telemetry: swap(topics.telemetry),
    error: swap(topics.error),
    ...(topics.command !== undefined ? { command: swap(topics.command) } : {}),
    ...(topics.info !== undefined ? { info: swap(topics.info) } : {}),
  };
}

/**
 * fleetConfigs(config, n) -> n configs: for n = 1 the board itself; else ids <id>-0001.. (the client id
 * follows when it was the board id, else gets the same suffix), and topic levels naming the id follow it.
 */
export function fleetConfigs(config: DeviceConfig, n: number): DeviceConfig[] {
  if (n === 1) return [config];
  const out: DeviceConfig[] = [];
  for (let i = 1; i <= n; i++) {
    const id = fleetId(config.id, i);
    const clientId = config.mqtt.clientId === config.id ? id : `${config.mqtt.clientId}-${String(i).padStart(4, "0")}`;
    out.push({ ...config, id, mqtt: { ...config.mqtt, clientId }, topics: retopic(config.topics, config.id, id) });
  }
  return out;
}

/** sharedTopics(configs) -> true when two boards of a fleet would use the same status topic. */
export function sharedTopics(configs: DeviceConfig[]): boolean {
  return configs.length > 1 && configs[0].topics.status === configs[1].topics.status;
}
