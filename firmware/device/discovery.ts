// Home Assistant MQTT discovery: what the board tells Home Assistant about itself, and how it hands over
// from what it told it before. Built once at start-up (it allocates); the device keeps the bytes and
// publishes them after every connect and every time Home Assistant announces itself (birth message).
//
// - One entity per relay (switch, or button with pulseMs), digital input (binary_sensor), analog input,
//   counter, DS18B20 and DHT22 value (sensor), the console's restart (a button, when the console is on),
//   and five diagnostic sensors read from the telemetry. A DS18B20 or DHT22 that does not answer says
//   "unavailable" on its state topic, which makes its entity unavailable (its own availability).
// - "device" mode: one config on <prefix>/device/<id>/config with every entity under "cmps" (HA 2024.11);
//   "entity" mode: one config per entity on <prefix>/<platform>/<id>/<key>/config. Both use the board id
//   as node_id and the entity's key as object_id, so Home Assistant gives an entity the same discovery
//   id either way (which is what lets it migrate between the two), and no two boards can share a topic.
// - Keys are abbreviated and Home Assistant's defaults left out (sim/board/ha-rules.ts). They are written
//   as literals or in brackets, never as dotted names, so the build's property shortening keeps them.
// - What was published before (the ledger, kept in Storage) decides the hand-over: a config the board no
//   longer has is removed (an empty retained config, or a platform-only component in the device config),
//   one that moves between the two forms is migrated ({"migrate_discovery": true} on the old topic, the
//   new config, then the old topic emptied), as Home Assistant's migration procedure asks.
import { DeviceConfig, FirmwareInfo } from "./config";
import { TopicNames } from "./topics";
import { DIAGNOSTIC_NAMES, RESTART_KEY } from "./ha-constants";
import { CONSOLE_RESTART } from "./console";


/** A retained discovery message. payload is a byte string: one char a byte, UTF-8. */
export interface DiscoveryMessage {
  topic: string;
  payload: string;
  /** Written straight from its bytes at QoS 0 (configs: the largest messages); else QoS 1. */
  direct: boolean;
  /** Owed only until the ledger is written: migration markers, removals, interim configs. */
  cleanup: boolean;
}

export interface DiscoveryPlan {
  /** In the order they must go out: interim configs and migration markers, configs, removals. */
  messages: DiscoveryMessage[];
  /** The ledger once these went out. */
  ledger: string;
}

// Field names here are kept by the build's property shortening (sim/build/mangle.ts keeps every interface
// member, and the board's build every key of a literal in this file, Home Assistant's JSON), so none may
// also be a firmware class's member ("config", "key" would lengthen those).
interface Component {
  /** The object id: the relay's or sensor's name, or a diagnostic's. */
  name: string;
  platform: string;
  /** Abbreviated keys, without the platform. */
  fields: Record<string, unknown>;
  /** Reads the telemetry topic: in a device config it inherits the shared state topic. */
  telemetry: boolean;
}

/** A discovery config the ledger says is retained on the broker. */
interface Entry {
  device: boolean;
  topic: string;
  /** device entries: key -> platform of each component. */
  components: Record<string, string>;
}


/**
 * discoveryPlan(config, topics, firmware, mac, stored) -> the discovery messages and the ledger they make.
 * mac: the board's station MAC ("" when unknown); stored: the ledger Storage holds, or null. Throws when
 * a sensor's unit is not UTF-8 bytes (config.ts).
 */
export function discoveryPlan(
  config: DeviceConfig, topics: TopicNames, firmware: FirmwareInfo | null, mac: string, stored: string | null,
): DiscoveryPlan {
  // Every helper lives in here: on the interpreter each function kept at module level costs RAM for the
  // life of the program (about 8 JsVars), these run once at start-up and go with this call.
  const LEDGER_HEADER = "relaymq-ha 1";
  const MIGRATE = "{\"migrate_discovery\":true}";

  function hasKey(o: object, k: string): boolean {
    return Object.prototype.hasOwnProperty.call(o, k);
  }

  // Objects made here, plain: for-in sees their own keys only.
  function copyInto(to: Record<string, unknown>, from: Record<string, unknown>): void {
    for (const k in from) to[k] = from[k];
  }

  // JSON as a byte string: '"', '\' and control chars escaped, every other char as it is. Espruino's
  // JSON.stringify writes chars from 0x80 up as \u00XX, which would turn a unit's UTF-8 bytes ("°C" is C2 B0
  // 43) into "Â°C" for Home Assistant; V8's writes UTF-16 chars the device would have to encode again.
  function quote(s: string): string {
    if (/^[^"\\\x00-\x1f]*$/.test(s)) return "\"" + s + "\"";
    let out = "\"";
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22) out += "\\\"";
      else if (c === 0x5c) out += "\\\\";
      else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
      else out += s.charAt(i);
    }
    return out + "\"";
  }

  // What the payloads hold: strings, whole numbers, arrays and plain objects made here.
  function jsonText(v: string | number | object): string {
    if (typeof v === "string") return quote(v);
    if (typeof v === "number") return String(v);
    const parts: string[] = [];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) parts.push(jsonText(v[i]));
      return "[" + parts.join(",") + "]";
    }
    const o = v as Record<string, string | number | object>;
    for (const k in o) parts.push(quote(k) + ":" + jsonText(o[k]));
    return "{" + parts.join(",") + "}";
  }

  function message(topic: string, payload: string, direct: boolean, cleanup: boolean): DiscoveryMessage {
    return { topic: topic, payload: payload, direct: direct, cleanup: cleanup };
  }

  function entityTopic(platform: string, key: string): string {
    return d.prefix + "/" + platform + "/" + id + "/" + key + "/config";
  }

  // An entity config of this board whose component is still here on the same platform.
  function isEntityTopic(topic: string): boolean {
    for (const k in byKey) if (topic === entityTopic(byKey[k], k)) return true;
    return false;
  }

  function deviceConfig(cmps: object): string {
    // Availability and the state topic are shared options: every component inherits them unless it sets
    // its own (the diagnostics read the telemetry; "online"/"offline" are the defaults, left out). A
    // component with its own availability list inherits no availability_topic (the two exclude each other in
    // HA's schema), so then the shared one is a list too.
    const c: Record<string, unknown> = { dev: device, o: origin };
    if (ownAvailability) c["avty"] = [{ t: topics.status }];
    else c["avty_t"] = topics.status;
    c["stat_t"] = topics.telemetry;
    c["cmps"] = cmps;
    return jsonText(c);
  }

  function withPlatform(c: Component): Record<string, unknown> {
    const o: Record<string, unknown> = { p: c.platform };
    copyInto(o, c.fields);
    return o;
  }

  // A unit must be its UTF-8 bytes (config.ts): UTF-16 text would reach Home Assistant garbled.
  function checkUnit(name: string, unit: string): void {
    let i = 0;
    while (i < unit.length) {
      const b = unit.charCodeAt(i);
      const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
      let ok = n >= 0 && b !== 0 && i + n < unit.length;
      for (let k = 1; ok && k <= n; k++) ok = (unit.charCodeAt(i + k) & 0xc0) === 0x80;
      if (!ok) throw new Error("sensor " + name + ": unit is not UTF-8 bytes");
      i += n + 1;
    }
  }

  // The entities, in config order: relays, sensors, then the diagnostics.
  function components(): Component[] {
    const out: Component[] = [];
    const uid = function (key: string): string {
      // ":" is in no id or name, so no two boards or entities share one.
      return id + ":" + key;
    };
    for (let i = 0; i < config.relays.length; i++) {
      const r = config.relays[i];
      const c: Record<string, unknown> = { name: r.name, uniq_id: uid(r.name), cmd_t: topics.relaySet[i] };
      if (r.pulseMs > 0) {
        // A pulse relay is pressed, not switched: its command is ON (the relay turns itself off).
        c["pl_prs"] = "ON";
      } else {
        c["stat_t"] = topics.relayState[i];
      }
      // Commands at QoS 1; the board refuses retained commands and HA sends none by default.
      c["qos"] = 1;
      if (r.deviceClass !== null) c["dev_cla"] = r.deviceClass;
      out.push({ name: r.name, platform: r.pulseMs > 0 ? "button" : "switch", fields: c, telemetry: false });
    }
    for (let i = 0; i < config.sensors.length; i++) {
      const s = config.sensors[i];
      checkUnit(s.name, s.unit);
      const c: Record<string, unknown> = { name: s.name, uniq_id: uid(s.name), stat_t: topics.sensorState[i] };
      if (s.deviceClass !== null) c["dev_cla"] = s.deviceClass;
      if (s.type === "digital") {
        c["pl_on"] = "1";
        c["pl_off"] = "0";
        out.push({ name: s.name, platform: "binary_sensor", fields: c, telemetry: false });
        continue;
      }
      if (s.unit !== "") c["unit_of_meas"] = s.unit;
      // A counter restarts from zero when the board reboots; total_increasing tells Home Assistant to
      // treat a drop as a meter reset, so its long-term totals stay right without storing counts.
      c["stat_cla"] = s.type === "counter" ? "total_increasing" : "measurement";
      c["sug_dsp_prc"] = s.decimals;
      if (s.type === "ds18b20" || s.type === "dht22") {
        // "unavailable" on the state topic: the entity is unavailable (as while the board is offline), and
        // that word is never taken for a reading.
        c["val_tpl"] = "{{value if value!='unavailable' else None}}";
        c["avty"] = [{ t: topics.status }, { t: topics.sensorState[i], val_tpl: "{{'offline' if value=='unavailable' else 'online'}}" }];
        c["avty_mode"] = "all";
        ownAvailability = true;
      }
      out.push({ name: s.name, platform: "sensor", fields: c, telemetry: false });
    }
    if ((typeof __HAS_CONSOLE__ === "undefined" || __HAS_CONSOLE__) && config.commands.console) {
      // The console's restart command; any payload restarts, so HA's default "PRESS" is left as it is.
      out.push({
        name: RESTART_KEY, platform: "button", telemetry: false,
        fields: { name: "Restart", uniq_id: uid(RESTART_KEY), cmd_t: topics.consoleTopics[CONSOLE_RESTART], qos: 1, dev_cla: "restart", ent_cat: "config" },
      });
    }
    // Read from the telemetry; a value older than 2.5 periods (the board is silent) shows as unavailable.
    const expire = Math.ceil(config.telemetry.periodSec * 2.5);
    const keys = DIAGNOSTIC_NAMES.split(",");
    const diag = function (key: string, name: string, field: string, extra: Record<string, unknown>): void {
      const c: Record<string, unknown> = { name: name, uniq_id: uid(key), val_tpl: "{{value_json." + field + "}}" };
      copyInto(c, extra);
      c["ent_cat"] = "diagnostic";
      c["exp_aft"] = expire;
      out.push({ name: key, platform: "sensor", fields: c, telemetry: true });
    };
    diag(keys[0], "Uptime", "uptime", { dev_cla: "duration", unit_of_meas: "s", stat_cla: "total_increasing" });
    diag(keys[1], "Free memory", "free", { stat_cla: "measurement" });
    diag(keys[2], "Reconnects", "mqtt.reconnects", { stat_cla: "total_increasing" });
    diag(keys[3], "WiFi signal", "rssi", { dev_cla: "signal_strength", unit_of_meas: "dBm", stat_cla: "measurement" });
    diag(keys[4], "IP address", "ip", {});
    return out;
  }

  // The ledger's entries, or null for no ledger (none stored, or not one this firmware wrote).
  function parseLedger(text: string | null): Entry[] | null {
    if (text === null) return null;
    const lines = text.split("\n");
    if (lines[0] !== LEDGER_HEADER) return null;
    const out: Entry[] = [];
    for (let i = 1; i < lines.length; i++) {
      const words = lines[i].split(" ");
      if (words.length < 2 || (words[0] !== "d" && words[0] !== "e")) continue;
      const e: Entry = { device: words[0] === "d", topic: words[1], components: {} };
      for (let k = 2; k < words.length; k++) {
        const at = words[k].indexOf(":");
        if (at > 0) e.components[words[k].substring(0, at)] = words[k].substring(at + 1);
      }
      out.push(e);
    }
    return out;
  }

  // Before the ledger existed (relaymq 0.1.0), each relay and sensor had <prefix>/<platform>/<id>_<name>/config:
  // a board flashed over that firmware removes those of its current entities.
  function legacyLedger(): Entry[] {
    const out: Entry[] = [];
    const add = function (platform: string, name: string): void {
      out.push({ device: false, topic: d.prefix + "/" + platform + "/" + id + "_" + name + "/config", components: {} });
    };
    for (let i = 0; i < config.relays.length; i++) add("switch", config.relays[i].name);
    for (let i = 0; i < config.sensors.length; i++) {
      add(config.sensors[i].type === "digital" ? "binary_sensor" : "sensor", config.sensors[i].name);
    }
    return out;
  }

  const d = config.discovery;
  const id = config.id;
  // "relaymq:" keeps the identifier apart from any other MQTT device that uses the board's name.
  const device: Record<string, unknown> = { ids: ["relaymq:" + id] };
  if (mac !== "") device["cns"] = [["mac", mac]];
  device["name"] = id;
  device["mf"] = "relaymq";
  device["mdl"] = "ESP32 (Espruino)";
  if (firmware !== null && firmware.version !== "") device["sw"] = firmware.version;
  const origin: Record<string, unknown> = { name: "relaymq" };
  if (firmware !== null && firmware.version !== "") origin["sw"] = firmware.version;
  if (firmware !== null && firmware.supportUrl !== "") origin["url"] = firmware.supportUrl;
  let ownAvailability = false;
  const current = d.enabled ? components() : [];
  const before: DiscoveryMessage[] = [];
  const configs: DiscoveryMessage[] = [];
  const after: DiscoveryMessage[] = [];
  const deviceTopic = d.prefix + "/device/" + id + "/config";
  const byKey: Record<string, string> = {};
  for (let i = 0; i < current.length; i++) byKey[current[i].name] = current[i].platform;
  const old = parseLedger(stored);
  const previous = old !== null ? old : legacyLedger();
  let ledger = LEDGER_HEADER + "\n";
  const removed: Record<string, string> = {};
  let moved = false;
  for (let i = 0; i < previous.length; i++) {
    const e = previous[i];
    if (!d.enabled) {
      after.push(message(e.topic, "", false, true));
    } else if (e.device) {
      if (e.topic === deviceTopic && d.mode === "device") {
        // Components gone from the board, or now on another platform (the old one must go first).
        for (const k in e.components) {
          if (hasKey(byKey, k) && byKey[k] === e.components[k]) continue;
          removed[k] = e.components[k];
          if (hasKey(byKey, k)) moved = true;
        }
      } else if (e.topic === deviceTopic) {
        // Back to one config per entity (Home Assistant's rollback): what is not coming back is removed
        // first, then the device config hands its entities over.
        const gone: Record<string, unknown> = {};
        let any = false;
        for (const k in e.components) {
          if (!hasKey(byKey, k) || byKey[k] !== e.components[k]) {
            gone[k] = { p: e.components[k] };
            any = true;
          }
        }
        if (any) before.push(message(e.topic, jsonText({ dev: device, o: origin, cmps: gone }), true, true));
        before.push(message(e.topic, MIGRATE, false, true));
        after.push(message(e.topic, "", false, true));
      } else {
        after.push(message(e.topic, "", false, true));
      }
    } else if (d.mode === "device" && isEntityTopic(e.topic)) {
      // Same discovery id in both forms: Home Assistant hands the entity over, keeping its history.
      before.push(message(e.topic, MIGRATE, false, true));
      after.push(message(e.topic, "", false, true));
    } else if (d.mode !== "entity" || !isEntityTopic(e.topic)) {
      after.push(message(e.topic, "", false, true));
    }
  }
  if (d.enabled && d.mode === "device") {
    const cmps: Record<string, unknown> = {};
    const line: string[] = ["d " + deviceTopic];
    for (let i = 0; i < current.length; i++) {
      const c = current[i];
      cmps[c.name] = withPlatform(c);
      line.push(c.name + ":" + c.platform);
    }
    if (moved) {
      // Home Assistant keys components by name within the device config: a key that changes platform is
      // removed under its old platform in an interim config before the new one takes the key.
      const interim: Record<string, unknown> = {};
      for (const k in cmps) interim[k] = hasKey(removed, k) ? { p: removed[k] } : cmps[k];
      before.unshift(message(deviceTopic, deviceConfig(interim), true, true));
    }
    for (const k in removed) if (!hasKey(cmps, k)) cmps[k] = { p: removed[k] };
    configs.push(message(deviceTopic, deviceConfig(cmps), true, false));
    ledger += line.join(" ") + "\n";
  } else if (d.enabled) {
    for (let i = 0; i < current.length; i++) {
      const c = current[i];
      const p: Record<string, unknown> = {};
      copyInto(p, c.fields);
      if (c.telemetry) p["stat_t"] = topics.telemetry;
      if (!hasKey(p, "avty")) p["avty_t"] = topics.status;
      p["dev"] = device;
      p["o"] = origin;
      const topic = entityTopic(c.platform, c.name);
      configs.push(message(topic, jsonText(p), true, false));
      ledger += "e " + topic + "\n";
    }
  }
  return { messages: before.concat(configs, after), ledger: ledger };
}
