// Every topic the device uses, expanded from the configured templates once at start-up. The device
// then keeps them as bytes (topics.ts hands out strings; device.ts encodes them) and never builds a
// topic again.
import { DeviceConfig } from "./config";
import { utf8Array } from "../mqtt/utf8";
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
  /** The console's reply topic. */
  info: string;
  /** The console command topics, indexed like CONSOLE_COMMANDS. */
  consoleTopics: string[];
  /** What to subscribe to for console commands: one '+' filter when the template allows, else each topic. */
  consoleFilters: string[];
}

/** The console commands, by their {name} in topics.command. */
export const CONSOLE_COMMANDS = ["status", "restart", "telemetry"];
/** The topic templates of the console, where a config leaves them out. */
export const COMMAND_TOPIC = "{prefix}/cmd/{name}";
export const INFO_TOPIC = "{prefix}/info";

function replaceAll(s: string, key: string, value: string): string {
  return s.split(key).join(value);
}

/** expandTopic(template, config, name) -> template with {prefix}, {id} and {name} replaced. Start-up only. */
export function expandTopic(template: string, config: DeviceConfig, name: string): string {
  const prefix = replaceAll(config.topics.prefix, "{id}", config.id);
  return replaceAll(replaceAll(replaceAll(template, "{prefix}", prefix), "{id}", config.id), "{name}", name);
}

function checkName(topic: string, what: string): string {
  const b = utf8Array(topic);
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
  const commandTemplate = t.command || COMMAND_TOPIC;
  const consoleTopics: string[] = [];
  for (let i = 0; i < CONSOLE_COMMANDS.length; i++) {
    consoleTopics.push(checkName(expandTopic(commandTemplate, config, CONSOLE_COMMANDS[i]), "command"));
  }
  return {
    status: checkName(expandTopic(t.status, config, ""), "status"),
    telemetry: checkName(expandTopic(t.telemetry, config, ""), "telemetry"),
    error: checkName(expandTopic(t.error, config, ""), "error"),
    relaySet: relaySet,
    relayState: relayState,
    sensorState: sensorState,
    commandFilters: commandFilters(config, t.relaySet, relaySet),
    info: checkName(expandTopic(t.info || INFO_TOPIC, config, ""), "info"),
    consoleTopics: consoleTopics,
    consoleFilters: commandFilters(config, commandTemplate, consoleTopics),
  };
}

// One subscription for all relays (or console commands) when {name} can become '+' (a valid filter that
// matches every topic): a single filter keeps the subscription table small and also catches commands for
// relays (or console commands) that do not exist, which are then answered on the error topic. Otherwise
// one filter per topic.
function commandFilters(config: DeviceConfig, template: string, topics: string[]): string[] {
  if (topics.length === 0) return [];
  const wild = expandTopic(template, config, "+");
  const w = utf8Array(wild);
  let ok = template.indexOf("{name}") >= 0 && validateTopicFilter(w, 0, w.length) === OK;
  for (let i = 0; ok && i < topics.length; i++) {
    const s = utf8Array(topics[i]);
    ok = topicMatches(s, 0, s.length, w, 0, w.length);
  }
  return ok ? [wild] : topics.slice(0);
}
