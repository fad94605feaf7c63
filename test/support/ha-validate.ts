// A discovery message held against Home Assistant's rules as data (sim/board/ha-rules.ts), the way its
// MQTT integration reads one (discovery.py): the topic pattern, UTF-8 and JSON, abbreviations expanded,
// a device config split into its components with the shared options inherited, then each component
// against its platform's keys, types, required keys, defaults, device classes, units and state classes.
// Our own rules on top, marked so: unique_id on every entity, defaults and abbreviable keys left out.
import {
  ABBREVIATIONS, AVAILABILITY_DEFAULTS, BINARY_SENSOR_DEVICE_CLASSES, BUTTON_DEVICE_CLASSES, COMMON_KEYS,
  DEVICE_ABBREVIATIONS, DEVICE_DISCOVERY, DEVICE_KEYS, DISCOVERY_TOPIC, ENTITY_CATEGORIES, MIGRATE_PAYLOAD, OBJECT_ID,
  ORIGIN_ABBREVIATIONS, ORIGIN_KEYS, PLATFORMS, SENSOR_DEVICE_CLASSES, STATE_CLASSES, SWITCH_DEVICE_CLASSES,
  type KeyType,
} from "../../sim/board/ha-rules";

export interface EntityConfig {
  platform: string;
  /** Home Assistant's discovery id: "<node_id> <object_id>" (discovery.py). */
  discoveryId: string;
  /** Every key in full, shared options, device and origin merged in. */
  config: Record<string, any>;
}

export interface Checked {
  kind: "config" | "removal" | "migrate";
  problems: string[];
  /** The entities a config creates or updates. */
  entities: EntityConfig[];
  /** Platform-only components of a device config and empty configs: what they remove. */
  removals: { platform: string; discoveryId: string }[];
}

const FULL_TO_ABBR: Record<string, string> = Object.fromEntries(Object.entries(ABBREVIATIONS).filter(([a, f]) => a !== f).map(([a, f]) => [f, a]));
const DEVICE_FULL_TO_ABBR: Record<string, string> = Object.fromEntries(Object.entries(DEVICE_ABBREVIATIONS).filter(([a, f]) => a !== f).map(([a, f]) => [f, a]));
const ORIGIN_FULL_TO_ABBR: Record<string, string> = Object.fromEntries(Object.entries(ORIGIN_ABBREVIATIONS).filter(([a, f]) => a !== f).map(([a, f]) => [f, a]));

function expand(o: Record<string, any>, table: Record<string, string>, fullToAbbr: Record<string, string>, where: string, problems: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(o)) {
    if (fullToAbbr[k] !== undefined) problems.push(`${where}: "${k}" is sent in full; its abbreviation is "${fullToAbbr[k]}" (ours)`);
    out[table[k] ?? k] = v;
  }
  return out;
}

/** schemas.py MQTT_AVAILABILITY_LIST_SCHEMA: the keys of one availability entry. */
const AVAILABILITY_ENTRY_KEYS: Record<string, KeyType> = {
  topic: "topic", payload_available: "string", payload_not_available: "string", value_template: "template",
};

const isTopic = (v: unknown, publish: boolean) =>
  typeof v === "string" && v.length > 0 && !v.includes("\u0000") && (!publish || !/[+#]/.test(v));

function typeProblem(key: string, t: KeyType | string, v: unknown): string | null {
  const ok = (() => {
    switch (t) {
      case "string": return typeof v === "string";
      case "string|null": return typeof v === "string" || v === null;
      case "topic": return isTopic(v, key === "command_topic");
      case "boolean": return typeof v === "boolean";
      case "qos": return v === 0 || v === 1 || v === 2;
      case "uint": return Number.isInteger(v) && (v as number) >= 0;
      case "template": return typeof v === "string" && /\{\{.*\}\}|\{%.*%\}/.test(v);
      case "url": return typeof v === "string" && /^(https?|homeassistant):\/\/\S+$/.test(v);
      case "list": return Array.isArray(v);
      case "entity_category": return typeof v === "string" && ENTITY_CATEGORIES.includes(v);
      case "state_class": return typeof v === "string" && STATE_CLASSES.includes(v);
      case "device_class": return typeof v === "string";
      case "device": case "origin": return v !== null && typeof v === "object" && !Array.isArray(v);
      case "string[]": return Array.isArray(v) && v.every((x) => typeof x === "string");
      case "pair[]": return Array.isArray(v) && v.every((x) => Array.isArray(x) && x.length === 2 && x.every((y) => typeof y === "string"));
      default: return false;
    }
  })();
  return ok ? null : `${key}: ${JSON.stringify(v)} is not a ${t}`;
}

function checkDevice(dev: Record<string, any>, where: string, problems: string[]): Record<string, any> {
  const d = expand(dev, DEVICE_ABBREVIATIONS, DEVICE_FULL_TO_ABBR, where, problems);
  for (const [k, v] of Object.entries(d)) {
    const t = DEVICE_KEYS[k];
    if (t === undefined) problems.push(`${where}.${k}: not a device key`);
    else {
      const p = typeProblem(k, t, v);
      if (p) problems.push(`${where}.${p}`);
    }
  }
  // schemas.py validate_device_has_at_least_one_identifier
  if (!(d.identifiers?.length > 0) && !(d.connections?.length > 0)) problems.push(`${where}: no identifiers and no connections`);
  return d;
}

function checkOrigin(o: Record<string, any>, where: string, problems: string[]): Record<string, any> {
  const x = expand(o, ORIGIN_ABBREVIATIONS, ORIGIN_FULL_TO_ABBR, where, problems);
  for (const k of ORIGIN_KEYS.required) if (x[k] === undefined) problems.push(`${where}.${k}: required`);
  for (const [k, v] of Object.entries(x)) {
    const t = (ORIGIN_KEYS.keys as Record<string, string>)[k];
    if (t === undefined) problems.push(`${where}.${k}: not an origin key`);
    else {
      const p = typeProblem(k, t, v);
      if (p) problems.push(`${where}.${p}`);
    }
  }
  return x;
}

/** checkEntity(platform, config, where) -> problems of one entity config (keys in full). */
export function checkEntity(platform: string, c: Record<string, any>, where: string): string[] {
  const problems: string[] = [];
  const rules = PLATFORMS[platform];
  if (!rules) return [`${where}: platform "${platform}" is not one relaymq uses`];
  for (const k of rules.required) if (c[k] === undefined) problems.push(`${where}.${k}: required (${rules.source})`);
  // Ours: HA needs a unique_id to put an entity on a device page and to let a user rename it.
  if (typeof c.unique_id !== "string") problems.push(`${where}.unique_id: required (ours)`);
  for (const [k, v] of Object.entries(c)) {
    const t = rules.keys[k] ?? COMMON_KEYS[k];
    if (t === undefined) {
      problems.push(`${where}.${k}: not a ${platform} key (HA drops it)`);
      continue;
    }
    const p = typeProblem(k, t, v);
    if (p) problems.push(`${where}.${p}`);
    // Ours: defaults are left out.
    if (rules.defaults[k] === v || (AVAILABILITY_DEFAULTS as Record<string, string>)[k] === v) {
      problems.push(`${where}.${k}: ${JSON.stringify(v)} is Home Assistant's default (ours: leave it out)`);
    }
  }
  // schemas.py MQTT_AVAILABILITY_SCHEMA: availability_topic and availability are vol.Exclusive; each entry of
  // the list is a topic with optional payloads and a value template (abbreviations expanded, "t": topic).
  if (c.availability_topic !== undefined && c.availability !== undefined) {
    problems.push(`${where}: availability_topic and availability exclude each other (schemas.py)`);
  }
  if (Array.isArray(c.availability)) {
    // Expanded in the config too (discovery.py), as the entity reads them.
    c.availability = c.availability.map((raw: unknown, i: number) => {
      const at = `${where}.availability[${i}]`;
      if (raw === null || typeof raw !== "object") {
        problems.push(`${at}: not an object`);
        return raw;
      }
      const e = expand(raw as Record<string, any>, ABBREVIATIONS, FULL_TO_ABBR, at, problems);
      if (!isTopic(e.topic, false)) problems.push(`${at}.topic: required, a topic`);
      for (const [k, v] of Object.entries(e)) {
        const t = AVAILABILITY_ENTRY_KEYS[k];
        if (t === undefined) problems.push(`${at}.${k}: not an availability key`);
        else if (k !== "topic") {
          const p = typeProblem(k, t, v);
          if (p) problems.push(`${at}.${p}`);
        }
      }
      return e;
    });
  }
  if (c.availability_mode !== undefined && !["all", "any", "latest"].includes(c.availability_mode)) {
    problems.push(`${where}.availability_mode: "${c.availability_mode}" is not all, any or latest`);
  }
  if (c.entity_category !== undefined && rules.forbiddenCategories.includes(c.entity_category)) {
    problems.push(`${where}.entity_category: ${platform} refuses "${c.entity_category}"`);
  }
  const dc = c.device_class;
  if (dc !== undefined) {
    const allowed: Record<string, string[]> = {
      switch: SWITCH_DEVICE_CLASSES, button: BUTTON_DEVICE_CLASSES, binary_sensor: BINARY_SENSOR_DEVICE_CLASSES,
    };
    if (platform !== "sensor") {
      if (!allowed[platform].includes(dc)) problems.push(`${where}.device_class: "${dc}" is not a ${platform} class`);
    } else if (!Object.prototype.hasOwnProperty.call(SENSOR_DEVICE_CLASSES, dc)) {
      problems.push(`${where}.device_class: "${dc}" is not a sensor class`);
    } else {
      const r = SENSOR_DEVICE_CLASSES[dc];
      const unit = c.unit_of_measurement ?? "";
      if (r.units !== null && !r.units.includes(unit)) problems.push(`${where}.unit_of_measurement: "${unit}" is not allowed with "${dc}" (mqtt/sensor.py)`);
      if (c.state_class !== undefined && !r.stateClasses.includes(c.state_class)) {
        problems.push(`${where}.state_class: "${c.state_class}" is not allowed with "${dc}" (sensor/const.py)`);
      }
    }
  }
  return problems;
}

/**
 * checkDiscovery(prefix, topic, payload) -> what Home Assistant makes of one message on a discovery topic.
 * payload: the bytes as they reached the broker.
 */
export function checkDiscovery(prefix: string, topic: string, payload: Uint8Array): Checked {
  const problems: string[] = [];
  const out: Checked = { kind: "config", problems, entities: [], removals: [] };
  if (!topic.startsWith(prefix + "/")) {
    problems.push(`topic ${topic}: not under ${prefix}/`);
    return out;
  }
  const m = DISCOVERY_TOPIC.exec(topic.slice(prefix.length + 1));
  if (!m) {
    problems.push(`topic ${topic}: illegal discovery topic (discovery.py TOPIC_MATCHER)`);
    return out;
  }
  const [, component, nodeId, objectId] = m;
  if (component !== "device" && !PLATFORMS[component]) problems.push(`topic ${topic}: component "${component}" is not one relaymq uses`);
  const id = nodeId ? `${nodeId} ${objectId}` : objectId;
  if (payload.length === 0) {
    out.kind = "removal";
    out.removals.push({ platform: component, discoveryId: id });
    return out;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
  } catch {
    problems.push(`${topic}: payload is not UTF-8`);
    return out;
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push(`${topic}: payload is not JSON`);
    return out;
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    problems.push(`${topic}: payload is not a JSON object`);
    return out;
  }
  if ("migrate_discovery" in json || "migr_discvry" in json) {
    out.kind = "migrate";
    // discovery.py MIGRATE_DISCOVERY_SCHEMA
    if (JSON.stringify(json) !== JSON.stringify(MIGRATE_PAYLOAD)) problems.push(`${topic}: a migration payload is exactly ${JSON.stringify(MIGRATE_PAYLOAD)}`);
    return out;
  }
  const top = expand(json, ABBREVIATIONS, FULL_TO_ABBR, topic, problems);
  if (component !== "device") {
    const c = { ...top };
    if (c.device) c.device = checkDevice(c.device, `${topic} device`, problems);
    if (c.origin) c.origin = checkOrigin(c.origin, `${topic} origin`, problems);
    problems.push(...checkEntity(component, c, topic));
    out.entities.push({ platform: component, discoveryId: id, config: c });
    return out;
  }
  // A device config (discovery.py _parse_device_payload, DEVICE_DISCOVERY_SCHEMA).
  for (const k of DEVICE_DISCOVERY.required) if (top[k] === undefined) problems.push(`${topic}.${k}: required (schemas.py DEVICE_DISCOVERY_SCHEMA)`);
  for (const [k, v] of Object.entries(top)) {
    if (DEVICE_DISCOVERY.required.includes(k)) continue;
    const t = DEVICE_DISCOVERY.optional[k];
    if (t === undefined) problems.push(`${topic}.${k}: not a device config key`);
    else {
      const p = typeProblem(k, t, v);
      if (p) problems.push(`${topic}.${p}`);
      if ((AVAILABILITY_DEFAULTS as Record<string, string>)[k] === v) problems.push(`${topic}.${k}: default left in (ours)`);
    }
  }
  const device = top.device ? checkDevice(top.device, `${topic} device`, problems) : {};
  const origin = top.origin ? checkOrigin(top.origin, `${topic} origin`, problems) : {};
  const cmps = top.components ?? {};
  for (const [key, raw] of Object.entries(cmps as Record<string, any>)) {
    const where = `${topic} components.${key}`;
    if (!OBJECT_ID.test(key)) problems.push(`${where}: not a valid object id`);
    const c = expand(raw, ABBREVIATIONS, FULL_TO_ABBR, where, problems);
    const platform = c.platform;
    delete c.platform;
    if (typeof platform !== "string" || !PLATFORMS[platform]) {
      problems.push(`${where}.platform: "${platform}" is not a platform relaymq uses`);
      continue;
    }
    const discoveryId = `${id} ${key}`;
    if (Object.keys(c).length === 0) {
      out.removals.push({ platform, discoveryId });
      continue;
    }
    // discovery.py _merge_common_device_options; a platform's DISCOVERY_SCHEMA then removes the keys it
    // does not take (extra=vol.REMOVE_EXTRA: a button has no state topic).
    const rules = PLATFORMS[platform];
    for (const s of DEVICE_DISCOVERY.shared) {
      if (top[s] !== undefined && c[s] === undefined && (rules.keys[s] !== undefined || COMMON_KEYS[s] !== undefined)) c[s] = top[s];
    }
    c.device = device;
    c.origin = origin;
    problems.push(...checkEntity(platform, c, where));
    out.entities.push({ platform, discoveryId, config: c });
  }
  return out;
}
