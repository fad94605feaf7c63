// A fleet's boards: one board.json, N boards, each with its own id, client id and topics.
import type { DeviceConfig } from "../../firmware/device/config";

/** fleetId(id, i) -> "<id>-0001" for i = 1. */
export function fleetId(id: string, i: number): string {
  return `${id}-${String(i).padStart(4, "0")}`;
}

/**
 * fleetConfigs(config, n) -> n configs: for n = 1 the board itself; else ids <id>-0001.. (the client id
 * follows when it was the board id, else gets the same suffix), topics follow the id as they expand it.
 */
export function fleetConfigs(config: DeviceConfig, n: number): DeviceConfig[] {
  if (n === 1) return [config];
  const out: DeviceConfig[] = [];
  for (let i = 1; i <= n; i++) {
    const id = fleetId(config.id, i);
    const clientId = config.mqtt.clientId === config.id ? id : `${config.mqtt.clientId}-${String(i).padStart(4, "0")}`;
    out.push({ ...config, id, mqtt: { ...config.mqtt, clientId } });
  }
  return out;
}
