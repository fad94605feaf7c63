// Every topic the device uses, expanded from the configured templates once at start-up. The device
// then keeps them as bytes (topics.ts hands out strings; device.ts encodes them) and never builds a
// topic again.
import { DeviceConfig } from "./config";
import { utf8Bytes } from "../mqtt/utf8";
import { validateTopicName, validateTopicFilter, topicMatches } from "../mqtt/topic";
import { OK } from "../mqtt/errors";

/** The expanded topic names; arrays are indexed like config.relays / config.sensors. */
export interface TopicNames {
  status: string;
  telemetry: string;
  error: string;
  relaySet: string[];
  relayState: string[];
  sensorState: string[];
  /** What to subscribe to for commands: one '+' filter when the template allows, else every set topic. */
  commandFilters: string[];
}

function replaceAll(s: string, key: string, value: string): string {
  return s.split(key).join(value);
}

/** expandTopic(template, config, name) -> template with {prefix}, {id} and {name} replaced. Start-up only. */
export function expandTopic(template: string, config: DeviceConfig, name: string): string {
  const prefix = replaceAll(config.topics.prefix, "{id}", config.id);
  return replaceAll(replaceAll(replaceAll(template, "{prefix}", prefix), "{id}", config.id), "{name}", name);
}

function checkName(topic: string, what: string): string {
  const b = utf8Bytes(topic);
  if (validateTopicName(b, 0, b.length) !== OK) throw new Error("invalid " + what + " topic: " + topic);
  return topic;
}

/**
 * topicNames(config) -> every topic, checked (a bad one throws here, at start-up, naming it). Set
 * topics must differ: an incoming command is routed by its exact topic.
 */
export function topicNames(config: DeviceConfig): TopicNames {
  const t = config.topics;
  const relaySet: string[] = [];
  const relayState: string[] = [];
  const sensorState: string[] = [];
  for (let i = 0; i < config.relays.length; i++) {
    const name = config.relays[i].name;
    const set = checkName(expandTopic(t.relaySet, config, name), "relay set");
    for (let j = 0; j < relaySet.length; j++) {
      if (relaySet[j] === set) throw new Error("two relays share the set topic " + set);
    }
    relaySet.push(set);
    relayState.push(checkName(expandTopic(t.relayState, config, name), "relay state"));
  }
  for (let i = 0; i < config.sensors.length; i++) {
    sensorState.push(checkName(expandTopic(t.sensorState, config, config.sensors[i].name), "sensor state"));
  }
  return {
    status: checkName(expandTopic(t.status, config, ""), "status"),
    telemetry: checkName(expandTopic(t.telemetry, config, ""), "telemetry"),
    error: checkName(expandTopic(t.error, config, ""), "error"),
    relaySet: relaySet,
    relayState: relayState,
    sensorState: sensorState,
    commandFilters: commandFilters(config, relaySet),
  };
}

// One subscription for all relays when {name} can become '+' (a valid filter that matches every set
// topic): a single filter keeps the subscription table small and also catches commands for relays
// that do not exist, which are then answered on the error topic. Otherwise one filter per relay.
function commandFilters(config: DeviceConfig, relaySet: string[]): string[] {
  if (relaySet.length === 0) return [];
  const wild = expandTopic(config.topics.relaySet, config, "+");
  const w = utf8Bytes(wild);
  let ok = config.topics.relaySet.indexOf("{name}") >= 0 && validateTopicFilter(w, 0, w.length) === OK;
  for (let i = 0; ok && i < relaySet.length; i++) {
    const s = utf8Bytes(relaySet[i]);
    ok = topicMatches(s, 0, s.length, w, 0, w.length);
  }
  return ok ? [wild] : relaySet.slice(0);
}
