// Home Assistant's MQTT discovery rules, as data: the build refuses a board Home Assistant would refuse
// (sim/board/ha-check.ts), and the tests hold every payload the board sends against the same tables
// (test/support/ha-validate.ts). Each table names the file of home-assistant/core it was read from.
// Tables marked "docs" were written from the integration's documentation (home-assistant.io/integrations/
// mqtt) where the stored copy of the source was older than the feature; everything else was read in the
// source itself.

/** homeassistant/components/mqtt/discovery.py TOPIC_MATCHER, applied to the topic after "<prefix>/". */
export const DISCOVERY_TOPIC = /^(\w+)\/(?:([a-zA-Z0-9_-]+)\/)?([a-zA-Z0-9_-]+)\/config$/;

/** The characters of a node_id or object_id level (discovery.py TOPIC_MATCHER). */
export const OBJECT_ID = /^[a-zA-Z0-9_-]+$/;

/**
 * The birth message Home Assistant publishes when it (re)starts: mqtt/const.py DEFAULT_BIRTH
 * (DEFAULT_BIRTH_WILL_TOPIC = DEFAULT_PREFIX + "/status", payload DEFAULT_PAYLOAD_AVAILABLE, QoS 0, not
 * retained). discovery.py subscribes to the configs before it is sent (client.py publishes the birth after
 * the discovery cool-down), so entities exist when the states that follow it arrive.
 */
export const BIRTH = { topicLevel: "status", payload: "online", retain: false };

/** mqtt/const.py DEFAULT_PAYLOAD_AVAILABLE / DEFAULT_PAYLOAD_NOT_AVAILABLE: what may be left out. */
export const AVAILABILITY_DEFAULTS = { payload_available: "online", payload_not_available: "offline" };

/**
 * Abbreviated keys -> full keys, for the keys relaymq sends (mqtt/abbreviations.py ABBREVIATIONS). The
 * stored abbreviations.py predates device discovery: "cmps", "p", "o", "sug_dsp_prc", "def_ent_id" are
 * from the docs ("migr_discvry" is also handled in discovery.py _async_process_discovery_migration).
 */
export const ABBREVIATIONS: Record<string, string> = {
  avty: "availability",
  avty_mode: "availability_mode",
  avty_t: "availability_topic",
  avty_tpl: "availability_template",
  cmd_t: "command_topic",
  cmd_tpl: "command_template",
  cmps: "components",
  def_ent_id: "default_entity_id",
  dev: "device",
  dev_cla: "device_class",
  e: "encoding",
  en: "enabled_by_default",
  ent_cat: "entity_category",
  exp_aft: "expire_after",
  frc_upd: "force_update",
  ic: "icon",
  json_attr_t: "json_attributes_topic",
  json_attr_tpl: "json_attributes_template",
  migr_discvry: "migrate_discovery",
  name: "name",
  o: "origin",
  obj_id: "object_id",
  off_dly: "off_delay",
  opt: "optimistic",
  ops: "options",
  p: "platform",
  pl_avail: "payload_available",
  pl_not_avail: "payload_not_available",
  pl_off: "payload_off",
  pl_on: "payload_on",
  pl_prs: "payload_press",
  ret: "retain",
  stat_cla: "state_class",
  stat_off: "state_off",
  stat_on: "state_on",
  stat_t: "state_topic",
  sug_dsp_prc: "suggested_display_precision",
  // Inside an availability entry (discovery.py expands those too).
  t: "topic",
  uniq_id: "unique_id",
  unit_of_meas: "unit_of_measurement",
  val_tpl: "value_template",
};

/** mqtt/abbreviations.py DEVICE_ABBREVIATIONS; "hw", "sn", "mdl_id" from the docs. */
export const DEVICE_ABBREVIATIONS: Record<string, string> = {
  cns: "connections",
  cu: "configuration_url",
  hw: "hw_version",
  ids: "identifiers",
  mdl: "model",
  mdl_id: "model_id",
  mf: "manufacturer",
  name: "name",
  sa: "suggested_area",
  sn: "serial_number",
  sw: "sw_version",
};

/** ORIGIN_ABBREVIATIONS (docs; discovery.py applies them to "origin"). */
export const ORIGIN_ABBREVIATIONS: Record<string, string> = { name: "name", sw: "sw_version", url: "support_url" };

/**
 * Value types: "string" (cv.string), "topic" (util.py valid_publish_topic / valid_subscribe_topic: a
 * non-empty topic name, no wildcards in a publish topic), "boolean", "qos" (0, 1 or 2), "uint"
 * (cv.positive_int: an integer >= 0), "template" (a Jinja template string), "url" (cv.configuration_url:
 * http(s) or homeassistant://), "list" (cv.ensure_list), "entity_category", "device_class", "state_class",
 * "device", "origin".
 */
export type KeyType =
  | "string" | "string|null" | "topic" | "boolean" | "qos" | "uint" | "template" | "url" | "list"
  | "entity_category" | "device_class" | "state_class" | "device" | "origin";

/**
 * Keys every entity platform accepts: mqtt/schemas.py MQTT_ENTITY_COMMON_SCHEMA and MQTT_AVAILABILITY_SCHEMA,
 * mqtt/config.py SCHEMA_BASE (qos, encoding). "default_entity_id" is from the docs.
 */
export const COMMON_KEYS: Record<string, KeyType> = {
  availability: "list",
  availability_mode: "string",
  availability_template: "template",
  availability_topic: "topic",
  default_entity_id: "string",
  device: "device",
  enabled_by_default: "boolean",
  encoding: "string",
  entity_category: "entity_category",
  icon: "string",
  json_attributes_template: "template",
  json_attributes_topic: "topic",
  object_id: "string",
  origin: "origin",
  payload_available: "string",
  payload_not_available: "string",
  qos: "qos",
  unique_id: "string",
};

export interface PlatformRules {
  /** The file the keys come from. */
  source: string;
  required: string[];
  keys: Record<string, KeyType>;
  /** Defaults Home Assistant applies, so a payload can leave them out. */
  defaults: Record<string, string | number | boolean>;
  /** Entity categories the platform refuses. */
  forbiddenCategories: string[];
}

/** The four platforms a relaymq board uses, each: its own schema extended with COMMON_KEYS. */
export const PLATFORMS: Record<string, PlatformRules> = {
  // mqtt/switch.py PLATFORM_SCHEMA_MODERN = config.py MQTT_RW_SCHEMA (command_topic required, optimistic,
  // retain, state_topic) + its own keys; DISCOVERY_SCHEMA removes unknown keys.
  switch: {
    source: "homeassistant/components/mqtt/switch.py, mqtt/config.py MQTT_RW_SCHEMA",
    required: ["command_topic"],
    keys: {
      command_template: "template", command_topic: "topic", device_class: "device_class", name: "string|null",
      optimistic: "boolean", payload_off: "string", payload_on: "string", retain: "boolean", state_off: "string",
      state_on: "string", state_topic: "topic", value_template: "template",
    },
    defaults: { payload_on: "ON", payload_off: "OFF", retain: false, qos: 0, optimistic: false },
    forbiddenCategories: [],
  },
  // mqtt/binary_sensor.py PLATFORM_SCHEMA_MODERN = MQTT_RO_SCHEMA (state_topic required, value_template).
  binary_sensor: {
    source: "homeassistant/components/mqtt/binary_sensor.py, mqtt/config.py MQTT_RO_SCHEMA",
    required: ["state_topic"],
    keys: {
      device_class: "device_class", expire_after: "uint", force_update: "boolean", name: "string|null",
      off_delay: "uint", payload_off: "string", payload_on: "string", state_topic: "topic", value_template: "template",
    },
    defaults: { payload_on: "ON", payload_off: "OFF", force_update: false, qos: 0 },
    // binary_sensor/__init__.py async_internal_added_to_hass refuses EntityCategory.CONFIG.
    forbiddenCategories: ["config"],
  },
  // mqtt/sensor.py _PLATFORM_SCHEMA_BASE = MQTT_RO_SCHEMA + its keys; validate_sensor_state_and_device_class_config.
  sensor: {
    source: "homeassistant/components/mqtt/sensor.py, mqtt/config.py MQTT_RO_SCHEMA",
    required: ["state_topic"],
    keys: {
      device_class: "device_class", expire_after: "uint", force_update: "boolean", last_reset_value_template: "template",
      name: "string|null", options: "list", state_class: "state_class", state_topic: "topic",
      suggested_display_precision: "uint", unit_of_measurement: "string|null", value_template: "template",
    },
    defaults: { force_update: false, qos: 0 },
    // sensor/__init__.py refuses EntityCategory.CONFIG for sensors (docs).
    forbiddenCategories: ["config"],
  },
  // mqtt/button.py PLATFORM_SCHEMA_MODERN = config.py MQTT_BASE_SCHEMA + command_topic (required) and its keys.
  button: {
    source: "homeassistant/components/mqtt/button.py, mqtt/config.py MQTT_BASE_SCHEMA",
    required: ["command_topic"],
    keys: {
      command_template: "template", command_topic: "topic", device_class: "device_class", name: "string|null",
      payload_press: "string", retain: "boolean",
    },
    defaults: { payload_press: "PRESS", retain: false, qos: 0 },
    forbiddenCategories: [],
  },
};

/**
 * mqtt/schemas.py MQTT_ENTITY_DEVICE_INFO_SCHEMA (model_id from the newer copy of the same schema):
 * validate_device_has_at_least_one_identifier wants identifiers or connections.
 */
export const DEVICE_KEYS: Record<string, "string" | "string[]" | "pair[]" | "url"> = {
  configuration_url: "url",
  connections: "pair[]",
  hw_version: "string",
  identifiers: "string[]",
  manufacturer: "string",
  model: "string",
  model_id: "string",
  name: "string",
  serial_number: "string",
  suggested_area: "string",
  sw_version: "string",
  via_device: "string",
};

/** mqtt/schemas.py MQTT_ORIGIN_INFO_SCHEMA. */
export const ORIGIN_KEYS = { required: ["name"], keys: { name: "string", sw_version: "string", support_url: "url" } as const };

/**
 * mqtt/schemas.py DEVICE_DISCOVERY_SCHEMA: device, components and origin required; each component a
 * COMPONENT_CONFIG_SCHEMA (platform required). SHARED_OPTIONS are inherited by every component that does
 * not set them (discovery.py _merge_common_device_options). A component with nothing but its platform
 * removes that component (discovery.py, "If the dict is empty after removing the platform").
 */
export const DEVICE_DISCOVERY = {
  required: ["device", "components", "origin"],
  optional: {
    availability: "list", availability_mode: "string", availability_template: "template", availability_topic: "topic",
    command_topic: "topic", encoding: "string", payload_available: "string", payload_not_available: "string",
    qos: "qos", state_topic: "topic",
  } as Record<string, KeyType>,
  shared: [
    "availability", "availability_mode", "availability_template", "availability_topic", "command_topic",
    "payload_available", "payload_not_available", "state_topic",
  ],
};

/** discovery.py MIGRATE_DISCOVERY_SCHEMA: the only payload a migration message may carry. */
export const MIGRATE_PAYLOAD = { migrate_discovery: true };

/** homeassistant/const.py EntityCategory (docs). */
export const ENTITY_CATEGORIES = ["config", "diagnostic"];

/** switch/__init__.py SwitchDeviceClass (docs). */
export const SWITCH_DEVICE_CLASSES = ["outlet", "switch"];

/** button/__init__.py ButtonDeviceClass (docs). */
export const BUTTON_DEVICE_CLASSES = ["identify", "restart", "update"];

/** binary_sensor/__init__.py BinarySensorDeviceClass. */
export const BINARY_SENSOR_DEVICE_CLASSES = [
  "battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door", "garage_door", "gas", "heat",
  "light", "lock", "moisture", "motion", "moving", "occupancy", "opening", "plug", "power", "presence", "problem",
  "running", "safety", "smoke", "sound", "tamper", "update", "vibration", "window",
];

/** sensor/const.py SensorStateClass. */
export const STATE_CLASSES = ["measurement", "total", "total_increasing"];

export interface SensorClassRules {
  /** Units allowed with the class; "" stands for no unit (None); null: any unit (not in DEVICE_CLASS_UNITS). */
  units: string[] | null;
  stateClasses: string[];
  /** date, enum, timestamp: the state is not a number. */
  numeric: boolean;
}

// Unit sets of homeassistant/const.py (UnitOf* enums and constants) that sensor/const.py uses whole.
const PRESSURE = ["Pa", "hPa", "kPa", "bar", "cbar", "mbar", "mmHg", "inHg", "psi"];
const ENERGY = ["J", "kJ", "MJ", "GJ", "mWh", "Wh", "kWh", "MWh", "GWh", "TWh", "cal", "kcal", "Mcal", "Gcal"];
const VOLUME = ["ft\u00b3", "CCF", "m\u00b3", "L", "mL", "gal", "fl. oz."];
const SPEED = ["Beaufort", "ft/s", "in/s", "m/s", "km/h", "kn", "mph", "mm/s"];
const VOLUMETRIC_FLUX = ["in/d", "in/h", "mm/d", "mm/h"];
const TEMPERATURE = ["\u00b0C", "\u00b0F", "K"];
const UG_M3 = ["\u00b5g/m\u00b3"];
const ALL = STATE_CLASSES;
const M = ["measurement"];
const TOTALS = ["total", "total_increasing"];

const numeric = (units: string[] | null, stateClasses: string[]): SensorClassRules => ({ units, stateClasses, numeric: true });

/**
 * sensor/const.py SensorDeviceClass with DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES (unit strings
 * from homeassistant/const.py). temperature_delta's units are from the class's docstring (its enum was not
 * in the stored const.py). mqtt/sensor.py validate_sensor_state_and_device_class_config refuses a unit
 * outside DEVICE_CLASS_UNITS (HA 2025.7); the sensor entity warns about a state class outside
 * DEVICE_CLASS_STATE_CLASSES. The build refuses both.
 */
export const SENSOR_DEVICE_CLASSES: Record<string, SensorClassRules> = {
  date: { units: [""], stateClasses: [], numeric: false },
  enum: { units: [""], stateClasses: [], numeric: false },
  timestamp: { units: [""], stateClasses: [], numeric: false },
  apparent_power: numeric(["VA"], M),
  aqi: numeric([""], M),
  area: numeric(["m\u00b2", "cm\u00b2", "km\u00b2", "mm\u00b2", "in\u00b2", "ft\u00b2", "yd\u00b2", "mi\u00b2", "ac", "ha"], ALL),
  atmospheric_pressure: numeric(PRESSURE, M),
  battery: numeric(["%"], M),
  blood_glucose_concentration: numeric(["mg/dL", "mmol/L"], M),
  carbon_monoxide: numeric(["ppm"], M),
  carbon_dioxide: numeric(["ppm"], M),
  conductivity: numeric(["S/cm", "\u00b5S/cm", "mS/cm"], M),
  current: numeric(["mA", "A"], M),
  data_rate: numeric(["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "B/s", "kB/s", "MB/s", "GB/s", "KiB/s", "MiB/s", "GiB/s"], M),
  data_size: numeric([
    "bit", "kbit", "Mbit", "Gbit", "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB", "KiB", "MiB", "GiB", "TiB",
    "PiB", "EiB", "ZiB", "YiB",
  ], ALL),
  distance: numeric(["mm", "cm", "m", "km", "in", "ft", "yd", "mi", "nmi"], ALL),
  duration: numeric(["d", "h", "min", "s", "ms"], ALL),
  energy: numeric(ENERGY, TOTALS),
  energy_distance: numeric(["kWh/100km", "mi/kWh", "km/kWh"], M),
  energy_storage: numeric(ENERGY, M),
  frequency: numeric(["Hz", "kHz", "MHz", "GHz"], M),
  gas: numeric(["CCF", "ft\u00b3", "m\u00b3"], TOTALS),
  humidity: numeric(["%"], M),
  illuminance: numeric(["lx"], M),
  irradiance: numeric(["W/m\u00b2", "BTU/(h\u22c5ft\u00b2)"], M),
  moisture: numeric(["%"], M),
  // Not in DEVICE_CLASS_UNITS: an ISO 4217 currency code.
  monetary: numeric(null, ["total"]),
  nitrogen_dioxide: numeric(UG_M3, M),
  nitrogen_monoxide: numeric(UG_M3, M),
  nitrous_oxide: numeric(UG_M3, M),
  ozone: numeric(UG_M3, M),
  ph: numeric([""], M),
  pm1: numeric(UG_M3, M),
  pm10: numeric(UG_M3, M),
  pm25: numeric(UG_M3, M),
  power_factor: numeric(["%", ""], M),
  power: numeric(["W", "kW", "MW", "GW", "TW"], M),
  precipitation: numeric(["in", "mm", "cm"], ALL),
  precipitation_intensity: numeric(VOLUMETRIC_FLUX, M),
  pressure: numeric(PRESSURE, M),
  reactive_power: numeric(["var"], M),
  signal_strength: numeric(["dB", "dBm"], M),
  sound_pressure: numeric(["dB", "dBA"], M),
  speed: numeric([...SPEED, ...VOLUMETRIC_FLUX], M),
  sulphur_dioxide: numeric(UG_M3, M),
  temperature: numeric(TEMPERATURE, M),
  temperature_delta: numeric(TEMPERATURE, M),
  volatile_organic_compounds: numeric(UG_M3, M),
  volatile_organic_compounds_parts: numeric(["ppb", "ppm"], M),
  voltage: numeric(["\u00b5V", "mV", "V", "kV", "MV"], M),
  volume: numeric(VOLUME, TOTALS),
  volume_flow_rate: numeric(["m\u00b3/h", "m\u00b3/s", "ft\u00b3/min", "L/h", "L/min", "L/s", "gal/min", "mL/s"], M),
  volume_storage: numeric(VOLUME, M),
  water: numeric(["CCF", "ft\u00b3", "m\u00b3", "gal", "L"], TOTALS),
  weight: numeric(["g", "kg", "mg", "\u00b5g", "oz", "lb", "st"], ALL),
  wind_direction: numeric(["\u00b0"], []),
  wind_speed: numeric(SPEED, M),
};
