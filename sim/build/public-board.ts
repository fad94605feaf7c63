// The board as the build may show it outside the firmware file (dist/firmware.board.json, the build's
// own output): passwords blanked, and every other value read from the environment written back as its
// "$NAME", also where it was expanded into other values (an id from the environment inside the topics).
import type { DeviceConfig } from "../../firmware/device/config";
import type { Secret } from "../board/load";

/** publicBoard(config, secrets) -> a copy of config without passwords or values from the environment. */
export function publicBoard(config: DeviceConfig, secrets: ReadonlyMap<string, Secret>): DeviceConfig {
  const pub = JSON.parse(JSON.stringify(config)) as DeviceConfig;
  pub.wifi.password = "";
  pub.mqtt.password = null;
  for (const [path, s] of secrets) {
    const value = valueAt(config, s.keys);
    if (typeof value !== "string" || path === "wifi.password" || path === "mqtt.password") continue;
    setAt(pub, s.keys, `$${s.name}`);
    // The id and the topic templates are expanded into the topics and the default client id.
    const expands = s.keys[0] === "id" || s.keys[0] === "topics";
    if (expands && value !== "") {
      for (const k of Object.keys(pub.topics) as (keyof DeviceConfig["topics"])[]) {
        const t = pub.topics[k];
        // The board's optional topics (its console) may be absent.
        if (t !== undefined) pub.topics[k] = t.split(value).join(`$${s.name}`);
      }
      pub.mqtt.clientId = pub.mqtt.clientId.split(value).join(`$${s.name}`);
    }
  }
  return pub;
}

function valueAt(root: unknown, keys: (string | number)[]): unknown {
  let v: any = root;
  for (const k of keys) {
    if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, k)) return undefined;
    v = v[k];
  }
  return v;
}

function setAt(root: unknown, keys: (string | number)[], value: string): void {
  const parent = valueAt(root, keys.slice(0, -1)) as Record<string | number, unknown> | undefined;
  if (parent !== undefined && parent !== null && typeof parent === "object") parent[keys[keys.length - 1]] = value;
}
