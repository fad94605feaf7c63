// The device: the board's configuration brought to life over the seams. It owns the MQTT client, the
// relays and the sensors (and, where the board has them, its buttons, status LED, console commands and
// bus sensors), routes commands to relays, reports state and sensor values, publishes telemetry and Home
// Assistant discovery, and announces all of it again when Home Assistant's birth message says it
// (re)started. Everything is allocated and encoded in the constructor; start(), tick(), commands, reports
// and telemetry allocate nothing (docs/design.md, "Allocation-free").
import { allocBytes, natives, textOf } from "../mqtt/bytes";
import { DeviceConfig, FirmwareInfo } from "./config";
import { Transport, Clock, Pins, Timers, Storage, System, Log, Buses, LOG_INFO, LOG_WARN } from "../platform";
import { MqttClient, ClientEvents } from "../mqtt/client";
import { ClientOptions } from "../mqtt/client-options";
import { Packet } from "../mqtt/packet";
import { utf8Bytes } from "../mqtt/utf8";
import { OK, E_INFLIGHT_FULL, E_STORED_LOST } from "../mqtt/errors";
import { topicNames, TopicNames, expandTopic, COMMAND_TOPIC } from "./topics";
import { Relays, RelayListener } from "./relays";
import { Sensors, SensorListener, KIND_DIGITAL, KIND_DS18B20, READING_FAILED } from "./sensors";
import { Thermometers } from "./thermometers";
import { Telemetry } from "./telemetry";
import { Outbox, OutboxSender } from "./outbox";
import { parseCommand, parseCommandText, WORDS, parsePulse, parseUint, sameBytes, CMD_NONE, CMD_ON, CMD_OFF } from "./command";
import {
  formatRefusal, REFUSAL_MIN_BYTES, REFUSED_UNKNOWN_RELAY, REFUSED_TOO_LONG, REFUSED_RETAINED, REFUSED_UNKNOWN_PAYLOAD,
  REFUSED_UNKNOWN_COMMAND, REFUSED_BAD_VALUE,
} from "./refusal";
import { Console, CONSOLE_NONE, CONSOLE_UNKNOWN, CONSOLE_RESTART, CONSOLE_TELEMETRY, STATUS_EXTRA } from "./console";
import { writeFixedAt, writeAscii } from "./format";
import { Buttons, ButtonListener } from "./buttons";
import { StatusLed } from "./status-led";
// Last: the bundle puts each module's names into one scope in the order they are first imported, and the
// interpreter searches a scope in that order; discovery's names are read at start-up only.
import { discoveryPlan } from "./discovery";
import {
  STATUS_ONLINE, STATUS_OFFLINE, BIRTH_LEVEL, LEDGER_KEY, CONFIGS_KEY, LEDGER_DONE, LEDGER_OWED, LEDGER_SENT,
} from "./ha-constants";
import { STATE_ON, STATE_OFF, ON_BYTES, OFF_BYTES } from "./state-payloads";

/** The seams a device runs on. */
export interface DeviceIO {
  transport: Transport;
  clock: Clock;
  pins: Pins;
  timers: Timers;
  storage: Storage;
  system: System;
  log?: Log | null;
  /** [0, 1) source for the reconnect jitter; Math.random when absent (tests pass a fixed one). */
  random?: () => number;
  /** The firmware's version and support URL for Home Assistant and the status command (the build's); left out when absent. */
  firmware?: FirmwareInfo | null;
  /** The OneWire and DHT22 buses; needed only by a board with ds18b20 or dht22 sensors. */
  buses?: Buses | null;
}

/**
 * What a device reports to its host (the simulator's live view, tests); every method is optional.
 * Arguments are numbers and buffers, never new objects; buffers are valid only during the call.
 */
export interface DeviceEvents {
  /** A relay changed state (its pin was just written). */
  onRelay?(index: number, on: boolean): void;
  /**
   * A sensor's value changed: a digital edge, an analog sample that differs, a counted pulse. The value
   * is device.sensors.value[index] (not passed: a fractional number argument is boxed on V8).
   */
  onSensor?(index: number): void;
  /** The MQTT session came up (CONNACK accepted) or went down. */
  onConnection?(connected: boolean): void;
  /** A command was refused (reason: REFUSED_* of refusal.ts); its topic is topic[off .. off+len). */
  onCommandRefused?(reason: number, topic: Uint8Array, off: number, len: number): void;
  /** The client accepted a message the device published. */
  onPublish?(topic: Uint8Array, payload: Uint8Array, off: number, len: number, qos: number, retain: boolean): void;
}

/** QoS 1 messages in flight at once; the outbox waits for PUBACKs beyond that (memory: slots x packet). */
const INFLIGHT = 4;
/** Analog and counter payloads: writeFixed writes at most 20 bytes. */
const VALUE_BYTES = 24;
/** Commands remembered (packet id and relay) to recognise a redelivery; a power of two. */
const RECENT = 8;
/** A restart waits at most this long for the broker link to close after DISCONNECT before it reboots. */
export const RESTART_WAIT_MS = 2000;
/** The Storage file that keeps the telemetry period the console set. */
export const TELEMETRY_KEY = "telemetry_sec";
/** The longest telemetry period and PULSE the commands take: a day. */
const MAX_TELEMETRY_SEC = 86400;
const MAX_PULSE_MS = 86400000;
/** A PULSE command, beside command.ts's words. */
const CMD_PULSE = 4;


export class Device implements RelayListener, SensorListener, OutboxSender, ButtonListener, ClientEvents {
  // No reference to the whole board config is kept: on the board, what start-up alone needs of it is
  // freed once started (sim/build/boot-release.ts). The parts that run keep their own sections.
  readonly client: MqttClient;
  readonly relays: Relays;
  readonly sensors: Sensors;
  readonly telemetry: Telemetry;
  /** null when the board has no buttons (the feature costs nothing then). */
  readonly buttons: Buttons | null;
  /** null when the board has no status LED. */
  readonly statusLed: StatusLed | null;
  /** null when the board's console commands are off. */
  readonly console: Console | null;
  /** null when the board has no ds18b20 or dht22 sensor. */
  readonly thermometers: Thermometers | null;

  private readonly io: DeviceIO;
  /**
   * The host's listeners (the simulator's view); null where there are none (the board), so each event
   * costs one compare there instead of looking its listener up (16,000 instructions a relay command).
   */
  private readonly events: DeviceEvents | null;
  private readonly outbox = new Outbox();
  private readonly statusTopic: Uint8Array;
  private readonly telemetryTopic: Uint8Array;
  private readonly errorTopic: Uint8Array;
  private readonly setTopics: Uint8Array[] = [];
  /** Relay index by set topic, for topics the runtime hands over as strings (Packet.topicText). */
  private readonly routes: { [topic: string]: number } = {};
  private readonly sensorTopics: Uint8Array[] = [];
  private readonly filters: Uint8Array[] = [];
  private readonly filterQos: number[] = [];
  private readonly online: Uint8Array;
  private readonly offline: Uint8Array;
  private readonly on: Uint8Array;
  private readonly off: Uint8Array;
  private readonly one: Uint8Array;
  private readonly zero: Uint8Array;
  /** What a failed bus sensor's state topic says; null on a board without them. */
  private readonly unavailable: Uint8Array | null;
  private readonly valueBuf = allocBytes(VALUE_BYTES);
  private readonly errorBuf: Uint8Array;
  /** The last RECENT commands applied: packet id and relay, written round-robin at recentAt. */
  private readonly recentId = new Uint16Array(RECENT);
  private readonly recentRelay = new Int16Array(RECENT);
  private recentAt = 0;
  /** Outbox slots: status is 0, relay i is 1 + i, discovery configs follow. */
  private readonly statusSlot: number;
  private readonly relaySlot0: number;
  private readonly maxPayload: number;
  // Flags are 0/1 numbers, not booleans: on the interpreter a small integer lives in its property name's
  // JsVar, a boolean takes one more.
  private readonly acceptRetained: number;
  /** The telemetry period; the console's telemetry command changes it. */
  private telemetryMs: number;
  /** The length of the PULSE command being applied. */
  private pulseMs = 0;
  /** The last document published on the error topic is errorBuf[0 .. lastErrorLen) (status reports it). */
  private lastErrorLen = 0;
  private started = 0;
  private running = 0;
  /** Whether a session is up, as the client's events told (fail-safe timing follows these). */
  private connected = 0;
  private startedAt = 0;
  private nextTelemetry = 0;
  /** The network (WiFi) is up, as networkUp()/networkDown() told; the status LED shows it. */
  private network = 0;
  /** restart() stopped the device: the link's close (or RESTART_WAIT_MS) reboots the board. */
  private rebooting = 0;
  // Made last in the constructor: the interpreter finds a property by walking them in the order they
  // were made, and none of these is on a command's path.
  /** Home Assistant's birth topic (<discovery prefix>/status), or null without discovery. */
  private readonly birthTopic: Uint8Array | null;
  /** The same as the runtime's string, where it makes strings (Espruino); else null. */
  private readonly birthText: string | null;
  /** Sensor states (and, after a birth message, telemetry) owed once the outbox has sent the configs. */
  private statesOwed: number;
  private telemetryOwed: number;
  private ledgerState: number;
  /** The ledger to write once the hand-over is done; "" when none is owed (a kilobyte kept for nothing). */
  private ledgerText: string;
  /** Where each slot's config sits in Storage's CONFIGS_KEY file: offset, length (0: not there); null if none. */
  private storedAt: Uint16Array | null = null;

  /**
   * new Device(config, io, events?): expands and encodes every topic, builds discovery payloads and
   * allocates every buffer; touches no pin and opens nothing until start(). Throws on a bad topic.
   */
  constructor(config: DeviceConfig, io: DeviceIO, events?: DeviceEvents) {
    this.io = io;
    this.events = events || null;
    this.maxPayload = config.commands.maxPayload;
    this.acceptRetained = config.commands.acceptRetained ? 1 : 0;
    this.telemetryMs = config.telemetry.periodSec * 1000;
    const names = topicNames(config);
    this.statusTopic = utf8Bytes(names.status);
    this.telemetryTopic = utf8Bytes(names.telemetry);
    this.errorTopic = utf8Bytes(names.error);
    this.online = utf8Bytes(STATUS_ONLINE);
    this.offline = utf8Bytes(STATUS_OFFLINE);
    this.on = utf8Bytes(STATE_ON);
    this.off = utf8Bytes(STATE_OFF);
    this.one = utf8Bytes("1");
    this.zero = utf8Bytes("0");
    this.relays = new Relays(config.relays, io.pins, io.timers, io.storage, io.clock, this);
    this.sensors = new Sensors(config.sensors, io.pins, io.clock, this);
    const buttons = config.buttons;
    // Each part only for a board that has it; a build for a board without it leaves its code out too.
    this.buttons = (typeof __HAS_BUTTONS__ === "undefined" || __HAS_BUTTONS__) && buttons && buttons.length > 0
      ? new Buttons(buttons, config.relays, io.pins, io.timers, this.relays, this) : null;
    this.statusLed = (typeof __HAS_STATUS_LED__ === "undefined" || __HAS_STATUS_LED__) && config.statusLed
      ? new StatusLed(config.statusLed, io.pins) : null;
    let thermometers: Thermometers | null = null;
    if (typeof __HAS_BUS_SENSORS__ === "undefined" || __HAS_BUS_SENSORS__) {
      for (let i = 0; i < config.sensors.length; i++) {
        if (this.sensors.kind[i] < KIND_DS18B20 || thermometers !== null) continue;
        if (!io.buses) throw new Error("sensor " + config.sensors[i].name + ": no OneWire/DHT22 buses on this platform");
        thermometers = new Thermometers(config.sensors, io.buses, io.clock, this.sensors);
      }
    }
    this.thermometers = thermometers;
    this.unavailable = thermometers !== null ? utf8Bytes("unavailable") : null;

    // Outbox: status, relay states, discovery, in the order they go out after a connect.
    const outbox = this.outbox;
    this.statusSlot = outbox.add(this.statusTopic, this.online);
    this.relaySlot0 = this.statusSlot + 1;
    let longestSet = 0;
    // The largest QoS 1 message sizes the in-flight slots, the largest of all the TX buffer.
    let largestQos1 = this.statusTopic.length + this.offline.length;
    for (let i = 0; i < config.relays.length; i++) {
      const set = utf8Bytes(names.relaySet[i]);
      this.setTopics.push(set);
      const text = textOf(set);
      if (text !== null) this.routes[text] = i;
      if (set.length > longestSet) longestSet = set.length;
      outbox.add(utf8Bytes(names.relayState[i]), this.off);
      largestQos1 = Math.max(largestQos1, outbox.topics[this.relaySlot0 + i].length + this.off.length);
    }
    let largest = largestQos1;
    for (let i = 0; i < config.sensors.length; i++) {
      this.sensorTopics.push(utf8Bytes(names.sensorState[i]));
      largest = Math.max(largest, this.sensorTopics[i].length + VALUE_BYTES);
    }
    // Discovery after the states (in a method of its own: every closure made in this constructor keeps
    // its variables alive on the interpreter, and the plan's strings are kilobytes).
    const found = this.discover(config, names, io);
    largestQos1 = Math.max(largestQos1, found.qos1);
    // A direct message's header and topic are written from the TX buffer (client.publishDirect).
    largest = Math.max(largest, found.directTopic);
    outbox.seal();
    largest = Math.max(largest, largestQos1);
    const filters = config.commands.console ? names.commandFilters.concat(names.consoleFilters) : names.commandFilters;
    for (let i = 0; i < filters.length; i++) {
      this.filters.push(utf8Bytes(filters[i]));
      this.filterQos.push(1);
    }
    let birth: Uint8Array | null = null;
    if (config.discovery.enabled) {
      // Home Assistant's birth message comes at QoS 0 (mqtt/const.py DEFAULT_BIRTH).
      birth = utf8Bytes(config.discovery.prefix + "/" + BIRTH_LEVEL);
      this.filters.push(birth);
      this.filterQos.push(0);
    }
    // Room for the topic and payload of a refused command; longer ones are cut to fit.
    this.errorBuf = new Uint8Array(Math.max(REFUSAL_MIN_BYTES, 96 + 2 * longestSet + 2 * this.maxPayload));
    // Refusals, telemetry and the status go out as direct messages (report()): only their topics are
    // written from the TX buffer, so it is not sized for their documents.
    largest = Math.max(largest, this.errorTopic.length, this.telemetryTopic.length);
    const version = io.firmware ? io.firmware.version : "";
    this.telemetry = new Telemetry(config, config.commands.console ? STATUS_EXTRA + version.length + this.errorBuf.length : 0);
    let console: Console | null = null;
    if ((typeof __HAS_CONSOLE__ === "undefined" || __HAS_CONSOLE__) && config.commands.console) {
      const prefix = expandTopic((config.topics.command || COMMAND_TOPIC).split("{name}")[0], config, "");
      console = new Console(names, prefix, this.telemetry, version);
      largest = Math.max(largest, console.infoTopic.length);
    }
    this.console = console;

    const mqtt = config.mqtt;
    const options: ClientOptions = {
      clientId: mqtt.clientId,
      username: mqtt.username,
      password: mqtt.password,
      keepAliveSec: mqtt.keepAlive,
      cleanSession: mqtt.cleanSession,
      will: { topic: names.status, payload: STATUS_OFFLINE, qos: 1, retain: true },
      // PUBLISH overhead: fixed header (up to 5), topic length (2), packet id (2). Only QoS 1 messages
      // (status, relay states, discovery hand-over) are held in flight; telemetry and reports are QoS 0.
      maxPacketBytes: largest + 9,
      inflightBytes: largestQos1 + 9,
      // A command's topic and payload with room to spare, so a payload somewhat over maxPayload still
      // arrives and is refused with a reason; a much longer one is dropped by the client (stats.dropped).
      rxBytes: Math.max(512, 64 + 2 * longestSet + 2 * this.maxPayload),
      inflight: INFLIGHT,
      // The device publishes only while connected (everything is republished after a connect), so the
      // client's offline store stays empty.
      offlineBytes: 64,
      subscriptions: Math.max(1, this.filters.length),
      // Commands are subscribed at QoS 1, so no QoS 2 can arrive: no 8 KB exactly-once id set.
      maxQos: 1,
      // command() routes by the exact topic itself.
      matchTopics: false,
    };
    if (io.random) options.random = io.random;
    // The device is the client's listener itself (ClientEvents): no closure kept per event, and a
    // message reaches onMessage() with no call in between.
    this.client = new MqttClient(options, io.transport, io.clock, this);
    this.birthTopic = birth;
    this.birthText = birth === null ? null : textOf(birth);
    this.statesOwed = 0;
    this.telemetryOwed = 0;
    this.ledgerText = found.owed ? found.ledger : "";
    this.ledgerState = found.owed ? LEDGER_OWED : LEDGER_DONE;
  }

  /**
   * start(waitForNetwork?): relays to their power-on state, inputs watched, the broker connection begun
   * (with waitForNetwork, at the first networkUp() instead: a board whose WiFi has not joined yet would
   * only fail, and count the failure in its backoff). Once.
   */
  start(waitForNetwork?: boolean): void {
    if (this.started) return;
    this.started = 1;
    this.running = 1;
    const now = this.io.clock.now();
    this.startedAt = now;
    this.relays.outageBegan();
    // The flag as well: a build without the console then has no call left, and drops the methods (dead-methods.ts).
    if ((typeof __HAS_CONSOLE__ === "undefined" || __HAS_CONSOLE__) && this.console !== null) this.loadTelemetryPeriod();
    this.nextTelemetry = now + this.telemetryMs;
    this.relays.start();
    this.sensors.start();
    if (this.thermometers !== null) this.thermometers.start(this.io.log || null);
    if (this.buttons !== null) this.buttons.start();
    if (this.statusLed !== null) this.statusLed.start();
    if (this.filters.length > 0) {
      const code = this.client.subscribeAll(this.filters, this.filterQos);
      if (code !== OK) this.log(LOG_WARN, code, "subscribe");
    }
    if (!waitForNetwork) this.client.start();
  }

  /** tick(): the periodic work (client timers, fail-safe, sampling, counters, telemetry); every ~100 ms. */
  tick(): void {
    this.client.tick();
    if (!this.running) return;
    const now = this.io.clock.now();
    if (!this.connected) this.relays.failsafe();
    if (this.statusLed !== null) this.statusLed.show(this.network === 1, this.connected === 1);
    this.sensors.tick();
    if (this.thermometers !== null) this.thermometers.tick();
    if (this.telemetryMs > 0 && now >= this.nextTelemetry) {
      this.nextTelemetry += this.telemetryMs;
      if (this.nextTelemetry <= now) this.nextTelemetry = now + this.telemetryMs;
      this.publishTelemetry();
    }
    if (this.outbox.waiting > 0) this.pump();
    else if ((this.statesOwed || this.ledgerState === LEDGER_SENT) && this.connected) this.afterOutbox();
  }

  /**
   * stop(): publishes "offline" (retained) and disconnects cleanly, so the broker does not send the
   * will; cancels pulses and watches. Relays keep their state. Final.
   */
  stop(): void {
    if (!this.running) return;
    this.running = 0;
    if (this.client.isConnected()) {
      const len = this.offline.length;
      // QoS 1 as every status message; with no slot free, QoS 0 still reaches the broker before DISCONNECT.
      if (this.publish(this.statusTopic, this.offline, 0, len, 1, true) === E_INFLIGHT_FULL) {
        this.publish(this.statusTopic, this.offline, 0, len, 0, true);
      }
    }
    this.client.stop();
    this.relays.stop();
    this.sensors.stop();
    if (this.buttons !== null) this.buttons.stop();
  }

  /**
   * restart(): a clean restart (a button's long press, the restart command): stop() ("offline" retained,
   * DISCONNECT: the broker sends no will), then io.system.reboot() once the link has closed, at once
   * without one, after RESTART_WAIT_MS at the latest. Without a reboot seam the device just stays stopped.
   */
  restart(): void {
    if (!this.running) return;
    this.log(LOG_INFO, OK, "restart");
    const linked = this.client.isConnected();
    this.rebooting = 1;
    this.stop();
    if (!linked) this.rebootNow();
    else this.io.timers.after(RESTART_WAIT_MS, this.bindReboot());
  }

  // Made outside their users: a closure keeps its maker's scope alive on the interpreter.
  private bindRestart(): () => void {
    const self = this;
    return function (): void {
      self.restart();
    };
  }

  private bindReboot(): () => void {
    const self = this;
    return function (): void {
      self.rebootNow();
    };
  }

  private rebootNow(): void {
    if (!this.rebooting) return;
    this.rebooting = 0;
    const system = this.io.system;
    if (system.reboot) system.reboot();
  }

  /**
   * networkUp(): the network (WiFi) is up: the first time after start(true), the broker connection
   * begins; later, the broker is tried now rather than after the rest of the reconnect delay, which may
   * have grown to a minute while the network was down.
   */
  networkUp(): void {
    this.network = 1;
    if (!this.running) return;
    this.client.start();
    this.client.reconnectNow();
  }

  /** networkDown(): the network (WiFi) is gone; the MQTT client finds out about its link by itself. */
  networkDown(): void {
    this.network = 0;
  }

  /** isConnected() -> whether a session with the broker is up. */
  isConnected(): boolean {
    return this.client.isConnected();
  }

  // ---- relays, sensors, outbox (listener interfaces) ----

  /** relayChanged(i, on): publish the new state (retained) and tell the host. */
  relayChanged(i: number, on: boolean): void {
    const payload = on ? this.on : this.off;
    const outbox = this.outbox;
    const slot = this.relaySlot0 + i;
    // Connected with nothing waiting in the outbox, the state goes out at once (the order the outbox
    // keeps cannot change); otherwise, or with no slot in flight free, it waits its turn there. Either
    // way the slot keeps it as the state to publish again after a reconnect.
    outbox.payloads[slot] = payload;
    // What Device.publish() does, inline: a call and its six arguments fewer for every command.
    const topic = outbox.topics[slot];
    // The payload's length as a number: on the interpreter a typed array's length is a native getter,
    // ~35,000 instructions a read.
    const len = on ? ON_BYTES : OFF_BYTES;
    const r = outbox.waiting > 0 || this.client.ready === 0 ? E_INFLIGHT_FULL : this.client.publishQos(topic, payload, 0, len, 1, true);
    if (r === E_INFLIGHT_FULL) {
      outbox.mark(slot, payload);
      this.pump();
    } else if (r < 0) this.log(LOG_WARN, r, "publish");
    const ev = this.events;
    if (ev !== null) {
      if (r >= 0 && ev.onPublish) ev.onPublish(topic, payload, 0, len, 1, true);
      if (ev.onRelay) ev.onRelay(i, on);
    }
  }

  /** sensorFailed(i, reason): a bus sensor gave no valid reading: logged, and said on the error topic. */
  sensorFailed(i: number, reason: number): void {
    const t = this.thermometers as Thermometers;
    this.log(LOG_WARN, 0, "sensor " + this.sensors.name[i] + ": " + t.reasonText(reason));
    const n = t.formatError(this.errorBuf, i, reason);
    this.lastErrorLen = n;
    if (this.client.isConnected()) this.report(this.errorTopic, this.errorBuf, n, false);
  }

  /** buttonHeld(i): a long press; its one action is a restart. */
  buttonHeld(i: number): void {
    this.restart();
  }

  /** sensorChanged(i): tell the host. */
  sensorChanged(i: number): void {
    if (this.events !== null && this.events.onSensor) this.events.onSensor(i);
  }

  /** sensorReport(i): publish the sensor's value (QoS 0) when connected; after a connect all are sent. */
  sensorReport(i: number): void {
    if (!this.client.isConnected()) return;
    const s = this.sensors;
    if (s.kind[i] === KIND_DIGITAL) {
      const p = s.value[i] === 1 ? this.one : this.zero;
      this.publish(this.sensorTopics[i], p, 0, p.length, 0, false);
      return;
    }
    if (s.kind[i] >= KIND_DS18B20 && s.reading[i] === READING_FAILED) {
      const u = this.unavailable as Uint8Array;
      this.publish(this.sensorTopics[i], u, 0, u.length, 0, false);
      return;
    }
    const n = writeFixedAt(this.valueBuf, 0, s.value, i, s.decimals[i]);
    this.publish(this.sensorTopics[i], this.valueBuf, 0, n, 0, false);
  }

  /** onPublished(): ClientEvents, a PUBACK freed an in-flight slot: the outbox goes on. */
  onPublished(): void {
    if (this.outbox.waiting > 0) this.pump();
  }

  /** send(topic, payload) -> client.publish's result: an outbox message, QoS 1 retained. */
  send(topic: Uint8Array, payload: Uint8Array): number {
    return this.publish(topic, payload, 0, payload.length, 1, true);
  }

  // ---- internals ----

  private linkUp(): void {
    this.connected = 1;
    if (this.ledgerState === LEDGER_OWED) this.ledgerState = LEDGER_SENT;
    // Online first, then every relay state and discovery config, in outbox order, as PUBACKs allow; the
    // sensors once the configs are out (an entity Home Assistant does not know yet would miss its value).
    this.announce(false);
    this.log(LOG_INFO, OK, "connected");
    if (this.events !== null && this.events.onConnection) this.events.onConnection(true);
  }

  private linkDown(): void {
    this.connected = 0;
    // Only a restart (the console's, a button's long press) reboots: left out of a build with neither.
    if ((typeof __HAS_CONSOLE__ === "undefined" || __HAS_CONSOLE__ || typeof __HAS_BUTTONS__ === "undefined" || __HAS_BUTTONS__) &&
      this.rebooting) this.rebootNow();
    if (this.ledgerState === LEDGER_SENT) this.ledgerState = LEDGER_OWED;
    this.relays.outageBegan();
    this.log(LOG_WARN, this.client.lastError, "disconnected");
    if (this.events !== null && this.events.onConnection) this.events.onConnection(false);
  }

  private pump(): void {
    if (this.client.isConnected()) this.outbox.pump(this);
  }

  /**
   * onMessage(sub, p): ClientEvents, a message on a command topic: routed by its exact topic, checked,
   * applied; or refused. Where the runtime makes strings natively, the topic and payload are looked up as
   * strings; else as bytes.
   */
  onMessage(sub: number, p: Packet): void {
    const buf = p.buf;
    const text = p.topicText;
    let r = -1;
    if (text !== null) {
      // Only the table's numbers: a topic such as "constructor" finds something else there.
      const found = this.routes[text];
      if (typeof found === "number") r = found;
    } else r = this.setTopicOf(p);
    let cmd = CMD_NONE;
    let reason = 0;
    // The interpreter lexes the branches a relay command skips: the console and PULSE are a call each.
    if (r < 0) {
      if ((typeof __HAS_CONSOLE__ === "undefined" || __HAS_CONSOLE__) && this.console !== null && this.consoleCommand(p)) return;
      reason = REFUSED_UNKNOWN_RELAY;
    } else if (p.payloadLen > this.maxPayload) reason = REFUSED_TOO_LONG;
    else if (p.retain && !this.acceptRetained) reason = REFUSED_RETAINED;
    else {
      // The word as a string by the runtime's native itself (no call of ours between), or as bytes.
      const toText = natives.toText;
      const word = toText === null ? undefined : toText(buf.subarray(p.payloadOff, p.payloadOff + p.payloadLen));
      // A word as it is usually sent by one lookup here (only the table's numbers count: "constructor"
      // finds a function there); anything else through the parsers: a call fewer for most commands.
      const exact = word === undefined ? undefined : WORDS[word];
      cmd = typeof exact === "number" ? exact : word === undefined ? parseCommand(buf, p.payloadOff, p.payloadLen) : parseCommandText(word);
      // PULSE <ms> is one of the console's commands, left out with it (build-flags.d.ts).
      if (cmd === CMD_NONE) {
        if ((typeof __HAS_CONSOLE__ === "undefined" || __HAS_CONSOLE__) && this.console !== null) {
          if ((reason = this.pulseCommand(p)) === 0) cmd = CMD_PULSE;
        } else reason = REFUSED_UNKNOWN_PAYLOAD;
      }
    }
    if (reason !== 0) {
      this.refuse(reason, p);
      return;
    }
    // A QoS 1 command the broker sends again (DUP: our PUBACK was lost) that this board already applied
    // is not applied twice: a TOGGLE would undo itself. Its state is confirmed instead.
    if (p.dup && this.applied(p.packetId, r)) {
      this.confirmRelay(r);
      return;
    }
    const k = this.recentAt;
    this.recentId[k] = p.packetId;
    this.recentRelay[k] = r;
    this.recentAt = (k + 1) & (RECENT - 1);
    const changed = cmd === CMD_ON ? this.relays.set(r, true) : cmd === CMD_OFF ? this.relays.set(r, false)
      : (typeof __HAS_CONSOLE__ === "undefined" || __HAS_CONSOLE__) && cmd === CMD_PULSE ? this.relays.pulseFor(r, this.pulseMs)
      : this.relays.toggle(r);
    // An unchanged relay still answers with its state: the sender learns the command was taken.
    if (!changed) this.confirmRelay(r);
  }

  // The relay whose set topic p's topic is, by its bytes (no string of it to look up), or -1: out of line,
  // as the interpreter would lex the loop on every command it skips.
  private setTopicOf(p: Packet): number {
    for (let i = 0; i < this.setTopics.length; i++) if (sameBytes(p.buf, p.topicOff, p.topicLen, this.setTopics[i])) return i;
    return -1;
  }

  // A payload that is not ON, OFF or TOGGLE: PULSE <ms> (kept in pulseMs) -> 0, or the refusal reason.
  private pulseCommand(p: Packet): number {
    const ms = parsePulse(p.buf, p.payloadOff, p.payloadLen);
    this.pulseMs = ms;
    return ms < 0 ? REFUSED_UNKNOWN_PAYLOAD : ms === 0 || ms > MAX_PULSE_MS ? REFUSED_BAD_VALUE : 0;
  }

  // A message on no relay's topic -> whether it was a console topic (then checked as relay commands are,
  // and done or refused).
  private consoleCommand(p: Packet): boolean {
    const c = (this.console as Console).find(p);
    if (c === CONSOLE_NONE) return false;
    let reason = 0;
    let sec = 0;
    if (c === CONSOLE_UNKNOWN) reason = REFUSED_UNKNOWN_COMMAND;
    else if (p.payloadLen > this.maxPayload) reason = REFUSED_TOO_LONG;
    // A retained restart would reboot the board at every connect until someone cleared it: refused
    // whatever commands.acceptRetained says.
    else if (p.retain && (!this.acceptRetained || c === CONSOLE_RESTART)) reason = REFUSED_RETAINED;
    else if (c === CONSOLE_TELEMETRY) {
      sec = parseUint(p.buf, p.payloadOff, p.payloadLen);
      if (sec < 0 || sec > MAX_TELEMETRY_SEC) reason = REFUSED_BAD_VALUE;
    }
    // Straight to the error topic: refuse() reads an empty payload as a relay's state query.
    if (reason !== 0) this.refused(reason, p);
    // Once this message is acknowledged (the client sends its PUBACK after this returns): a restart in
    // here would DISCONNECT first, and a persistent session would deliver the restart again after it.
    else if (c === CONSOLE_RESTART) this.io.timers.after(0, this.bindRestart());
    else {
      if (c === CONSOLE_TELEMETRY) this.setTelemetryPeriod(sec);
      this.publishStatus();
    }
    return true;
  }

  // The console's telemetry <sec>: from now on, and after every boot (0: none).
  private setTelemetryPeriod(sec: number): void {
    // Flash is written only for a new period: the same command repeated wears nothing.
    const changed = sec * 1000 !== this.telemetryMs;
    this.telemetryMs = sec * 1000;
    this.nextTelemetry = this.io.clock.now() + this.telemetryMs;
    if (changed && !this.io.storage.write(TELEMETRY_KEY, String(sec))) this.log(LOG_WARN, 0, "telemetry period not saved");
  }

  private loadTelemetryPeriod(): void {
    const saved = this.io.storage.read(TELEMETRY_KEY);
    if (saved === null) return;
    const sec = parseInt(saved, 10);
    if (sec >= 0 && sec <= MAX_TELEMETRY_SEC) this.telemetryMs = sec * 1000;
  }

  private publishStatus(): void {
    const con = this.console as Console;
    const now = this.io.clock.now();
    const s = this.sensors;
    const sys = this.io.system;
    const n = con.formatStatus(this.telemetry, Math.floor((now - this.startedAt) / 1000), sys.freeMemory(), sys.rssi(),
      sys.ip(), this.relays.on, s.value, s.kind, s.decimals, this.client.stats, this.client.lastError,
      this.telemetryMs / 1000, this.errorBuf, this.lastErrorLen);
    this.report(con.infoTopic, con.buf, n, false);
  }

  // Whether command `id` for relay r is among the last RECENT applied.
  private applied(id: number, r: number): boolean {
    for (let k = 0; k < RECENT; k++) if (this.recentId[k] === id && this.recentRelay[k] === r) return true;
    return false;
  }

  private confirmRelay(i: number): void {
    this.outbox.mark(this.relaySlot0 + i, this.relays.on[i] === 1 ? this.on : this.off);
    this.pump();
  }

  // A refusal, or not one after all, found here so that a command costs no more for them (its path is
  // measured in the interpreter's instructions): Home Assistant's birth, on a topic no relay has, and an
  // empty payload on a set topic, which asks for the relay's state (Tasmota's convention; also what
  // `mosquitto_pub -r -n` sends to clear a retained command).
  private refuse(reason: number, p: Packet): void {
    if (reason === REFUSED_UNKNOWN_RELAY) {
      if (this.birth(p)) return;
    } else if (p.payloadLen === 0) {
      // A relay's set topic (else the reason would be the unknown relay): which one, by its bytes.
      let r = this.setTopics.length - 1;
      while (r > 0 && !sameBytes(p.buf, p.topicOff, p.topicLen, this.setTopics[r])) r--;
      this.confirmRelay(r);
      return;
    }
    this.refused(reason, p);
  }

  // A refusal said on the error topic (kept as the last error) and to the host.
  private refused(reason: number, p: Packet): void {
    const n = formatRefusal(this.errorBuf, reason, p.buf, p.topicOff, p.topicLen, p.buf, p.payloadOff, p.payloadLen,
      this.maxPayload);
    this.lastErrorLen = n;
    this.report(this.errorTopic, this.errorBuf, n, false);
    if (this.events !== null && this.events.onCommandRefused) this.events.onCommandRefused(reason, p.buf, p.topicOff, p.topicLen);
  }

  // Reads the clock itself: a time passed in would be boxed on V8 (see Sensors).
  private publishTelemetry(): void {
    if (!this.client.isConnected()) return;
    const now = this.io.clock.now();
    const s = this.sensors;
    const sys = this.io.system;
    const n = this.telemetry.format(Math.floor((now - this.startedAt) / 1000), sys.freeMemory(), sys.rssi(), sys.ip(),
      this.relays.on, s.value, s.kind, s.decimals, this.client.stats);
    this.report(this.telemetryTopic, this.telemetry.buf, n, false);
  }

  private publish(topic: Uint8Array, payload: Uint8Array, off: number, len: number, qos: number, retain: boolean): number {
    // QoS 1 straight to publishQos: client.publish would lex its QoS 0 path first.
    const r = qos === 0 ? this.client.publish(topic, payload, off, len, 0, retain) : this.client.publishQos(topic, payload, off, len, qos, retain);
    if (r >= 0) {
      if (this.events !== null && this.events.onPublish) this.events.onPublish(topic, payload, off, len, qos, retain);
    } else if (r !== E_INFLIGHT_FULL) this.log(LOG_WARN, r, "publish");
    return r;
  }

  private log(level: number, code: number, message: string): void {
    const log = this.io.log;
    if (log) log.log(level, code, message);
  }

  // ---- Home Assistant (after the methods a command uses: the interpreter finds a method by walking
  // the prototype's in the order they were made) ----

  /**
   * sendDirect(topic, payload, slot) -> client.publishDirect's result, or E_STORED_LOST: a discovery
   * config, QoS 0 retained; one kept in Storage is read back for it (and let go once written).
   */
  sendDirect(topic: Uint8Array, payload: Uint8Array, slot: number): number {
    const at = this.storedAt;
    if (at === null || at[2 * slot + 1] === 0) return this.report(topic, payload, payload.length, true);
    const text = this.io.storage.read(CONFIGS_KEY);
    const off = at[2 * slot];
    const len = at[2 * slot + 1];
    if (text === null || text.length < off + len) {
      // Never an empty or cut config in its place: that would remove the entities from Home Assistant.
      this.log(LOG_WARN, E_STORED_LOST, "discovery config not in Storage (" + CONFIGS_KEY + ")");
      return E_STORED_LOST;
    }
    const bytes = new Uint8Array(len);
    writeAscii(bytes, 0, off === 0 && len === text.length ? text : text.substr(off, len));
    return this.report(topic, bytes, len, true);
  }

  // A QoS 0 message written from its own buffer (buf[0 .. n)) after the header and topic the client writes
  // from its TX buffer (client.publishDirect), so the TX buffer needs no room for it. -> that result.
  private report(topic: Uint8Array, buf: Uint8Array, n: number, retain: boolean): number {
    const r = this.client.publishDirect(topic, buf, 0, n, retain);
    if (r >= 0) {
      if (this.events !== null && this.events.onPublish) this.events.onPublish(topic, buf, 0, n, 0, retain);
    } else this.log(LOG_WARN, r, "publish");
    return r;
  }

  // Adds the discovery messages to the outbox: configs go out straight from their own bytes (sized into no
  // buffer), hand-over messages at QoS 1 around them; a hand-over's bytes are not slab views (allocBytes),
  // so they are freed once it is done (Outbox.retire). -> the largest QoS 1 message (topic and payload), the
  // longest direct message's topic, the ledger they make, and whether Storage holds another. Start-up only.
  private discover(
    config: DeviceConfig, names: TopicNames, io: DeviceIO,
  ): { qos1: number; directTopic: number; ledger: string; owed: boolean } {
    const stored = io.storage.read(LEDGER_KEY);
    const plan = discoveryPlan(config, names, io.firmware || null, io.system.mac(), stored);
    const outbox = this.outbox;
    // The configs, published again after every connect and Home Assistant restart, wait in Storage (one
    // file, read back for each announce) rather than in RAM, where board.json's would hold ~170 JsVars for
    // good on the interpreter. Flash wears only when they change (Storage skips an identical write); in
    // RAM when Storage cannot take them.
    let kept = "";
    for (let i = 0; i < plan.messages.length; i++) {
      const m = plan.messages[i];
      if (m.direct && !m.cleanup) kept += m.payload;
    }
    const places = kept.length > 0 && kept.length <= 0xffff && io.storage.write(CONFIGS_KEY, kept)
      ? new Uint16Array(2 * (outbox.topics.length + plan.messages.length)) // offset, length by slot
      : null;
    const none = new Uint8Array(0);
    let at = 0;
    let qos1 = 0;
    let directTopic = 0;
    // Payloads are byte strings (discovery.ts): one char a byte. Equal ones share their bytes (the
    // migration markers, the empty removals).
    let lastText = "";
    let lastBytes = new Uint8Array(0);
    for (let i = 0; i < plan.messages.length; i++) {
      const m = plan.messages[i];
      let topic: Uint8Array;
      if (m.cleanup) {
        topic = new Uint8Array(m.topic.length);
        writeAscii(topic, 0, m.topic);
      } else topic = utf8Bytes(m.topic);
      if (places !== null && m.direct && !m.cleanup) {
        const slot = outbox.add(topic, none, true, false);
        places[2 * slot] = at;
        places[2 * slot + 1] = m.payload.length;
        at += m.payload.length;
        directTopic = Math.max(directTopic, topic.length);
        continue;
      }
      if (m.payload !== lastText) {
        lastText = m.payload;
        lastBytes = new Uint8Array(m.payload.length);
        writeAscii(lastBytes, 0, m.payload);
      }
      outbox.add(topic, lastBytes, m.direct, m.cleanup);
      if (m.direct) directTopic = Math.max(directTopic, topic.length);
      else qos1 = Math.max(qos1, topic.length + lastBytes.length);
    }
    this.storedAt = places;
    return { qos1: qos1, directTopic: directTopic, ledger: plan.ledger, owed: plan.ledger !== stored };
  }

  // Everything retained again, then (afterOutbox) the sensor states; with telemetry, the diagnostics too.
  private announce(telemetry: boolean): void {
    this.outbox.markAll();
    this.statesOwed = 1;
    this.telemetryOwed = telemetry ? 1 : 0;
    this.pump();
  }

  // The outbox is empty while connected: owed states go out, and a finished hand-over is written down.
  private afterOutbox(): void {
    if (this.statesOwed) {
      this.statesOwed = 0;
      this.sensors.reportAll();
      if (this.telemetryOwed) {
        this.telemetryOwed = 0;
        this.publishTelemetry();
      }
    }
    if (this.ledgerState === LEDGER_SENT && this.client.inflight.used === 0) {
      // Every hand-over message was acknowledged, and the configs were written before the last of them.
      this.ledgerState = LEDGER_DONE;
      this.outbox.retire();
      if (!this.io.storage.write(LEDGER_KEY, this.ledgerText)) this.log(LOG_WARN, OK, "discovery ledger not stored");
      this.ledgerText = "";
    }
  }

  // Home Assistant's birth message (live, "online"): it (re)started and knows no sensor state, so every
  // config and state is announced again, the diagnostics (telemetry) with them. -> whether p was one.
  private birth(p: Packet): boolean {
    const topic = this.birthTopic;
    const text = p.topicText;
    if (topic === null) return false;
    if (text !== null ? text !== this.birthText : !sameBytes(p.buf, p.topicOff, p.topicLen, topic)) return false;
    // A retained birth (sent with retain by a configured HA) arrives as the board subscribes: it has
    // just announced everything anyway. Anything but "online" (HA's will, "offline") asks for nothing.
    if (!p.retain && sameBytes(p.buf, p.payloadOff, p.payloadLen, this.online)) {
      this.log(LOG_INFO, OK, "home assistant online");
      this.announce(true);
    }
    return true;
  }

  // ---- The client's rarer events (ClientEvents), last: nothing on a message's path looks past them ----

  /** onConnected(): ClientEvents, the session is up. */
  onConnected(): void {
    this.linkUp();
  }

  /** onDisconnected(): ClientEvents, the link went down. */
  onDisconnected(): void {
    this.linkDown();
  }

  /** onOversize(sub, p): ClientEvents, a message longer than the RX buffer: refused unread (its size is checked before its payload). */
  onOversize(sub: number, p: Packet): void {
    this.onMessage(sub, p);
  }

  /** onError(code): ClientEvents, something the client handled itself. */
  onError(code: number): void {
    this.log(LOG_WARN, code, "mqtt");
  }
}
