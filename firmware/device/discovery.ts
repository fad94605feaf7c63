// Home Assistant MQTT discovery: one retained config per relay (`switch`), digital input
// (`binary_sensor`), analog input and counter (`sensor`), on <prefix>/<component>/<id>_<name>/config.
// Built with JSON.stringify once at start-up (valid JSON by construction); the device keeps the bytes
// and republishes them after every connect, since a broker restart may have lost retained messages.
import { DeviceConfig } from "./config";
import { TopicNames } from "./topics";

export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

/** What the device publishes on its status topic; also what discovery tells Home Assistant. */
export const STATUS_ONLINE = "online";
export const STATUS_OFFLINE = "offline";

/** discoveryMessages(config, topics) -> the configs in config order, relays first. Start-up only. */
export function discoveryMessages(config: DeviceConfig, topics: TopicNames): DiscoveryMessage[] {
  const out: DiscoveryMessage[] = [];
  const id = config.id;
  const prefix = config.discovery.prefix;
  const device = {
    identifiers: [id],
    name: id,
    manufacturer: "relaymq",
    model: "ESP32 (Espruino)",
  };
  for (let i = 0; i < config.relays.length; i++) {
    const name = config.relays[i].name;
    const p: Record<string, unknown> = {
      name: name,
      unique_id: id + "_" + name,
      command_topic: topics.relaySet[i],
      state_topic: topics.relayState[i],
      payload_on: "ON",
      payload_off: "OFF",
      state_on: "ON",
      state_off: "OFF",
      // The device refuses retained commands; Home Assistant must not send them.
      retain: false,
      qos: 1,
    };
    out.push(message(prefix, "switch", id, name, p, topics, device));
  }
  for (let i = 0; i < config.sensors.length; i++) {
    const s = config.sensors[i];
    const p: Record<string, unknown> = {
      name: s.name,
      unique_id: id + "_" + s.name,
      state_topic: topics.sensorState[i],
    };
    let component = "sensor";
    if (s.type === "digital") {
      component = "binary_sensor";
      p.payload_on = "1";
      p.payload_off = "0";
    } else if (s.type === "ds18b20" || s.type === "dht22") {
      const humidity = s.measure === "humidity";
      p.device_class = humidity ? "humidity" : "temperature";
      p.unit_of_measurement = humidity ? "%" : "\u00b0C";
      p.state_class = "measurement";
      // The state topic says "unavailable" when the sensor does not answer: the entity is unavailable then,
      // as it is while the board is offline, and that word is never taken for a reading.
      p.value_template = "{{ value if value != 'unavailable' else None }}";
      p.availability = [
        { topic: topics.status, payload_available: STATUS_ONLINE, payload_not_available: STATUS_OFFLINE },
        { topic: topics.sensorState[i], value_template: "{{ 'offline' if value == 'unavailable' else 'online' }}" },
      ];
      p.availability_mode = "all";
    } else {
      if (s.unit !== "") p.unit_of_measurement = s.unit;
      // A counter restarts from zero when the board reboots; total_increasing tells Home Assistant to
      // treat a drop as a meter reset, so its long-term totals stay right without storing counts.
      p.state_class = s.type === "counter" ? "total_increasing" : "measurement";
    }
    out.push(message(prefix, component, id, s.name, p, topics, device));
  }
  return out;
}

function message(
  prefix: string, component: string, id: string, name: string, p: Record<string, unknown>, topics: TopicNames,
  device: object,
): DiscoveryMessage {
  if (p.availability === undefined) {
    p.availability_topic = topics.status;
    p.payload_available = STATUS_ONLINE;
    p.payload_not_available = STATUS_OFFLINE;
  }
  p.device = device;
  return { topic: prefix + "/" + component + "/" + id + "_" + name + "/config", payload: JSON.stringify(p) };
}
