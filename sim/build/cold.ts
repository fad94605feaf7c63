// What the board's build keeps out of the heap until it runs (sim/build/cold-code.ts): code that runs when
// the link or the network comes or goes, for console commands and refused commands, on errors, at a
// stop. Nothing on the way of a message, a relay command, a sensor change, a tick, a keep-alive ping or
// telemetry is here: using any of it makes the bank, a few tens of milliseconds on the board (the
// interpreter benchmark would show it in its `command` figure). Written as the sources name them:
// "Class.method" or a function's name (test/build/cold-code.test.ts checks that each still exists); a
// board whose build leaves one out (a feature it does not use, a method nothing calls) just has less.

export const COLD_CODE: readonly string[] = [
  // Connecting, subscribing and the end of a link (firmware/mqtt).
  "MqttClient.start", "MqttClient.stop", "MqttClient.reconnectNow", "MqttClient.openLink", "MqttClient.onOpen",
  "MqttClient.onConnack", "MqttClient.onSuback", "MqttClient.onUnsuback", "MqttClient.resendInflight",
  "MqttClient.restoreSubscriptions", "MqttClient.flushSubscriptions", "MqttClient.flushList",
  "MqttClient.subscribe", "MqttClient.subscribeAll", "MqttClient.unsubscribe", "MqttClient.checkSubscription",
  "MqttClient.addSubscription", "MqttClient.callUnsubscribed", "MqttClient.publishDirect", "MqttClient.onClose",
  "MqttClient.drop", "MqttClient.fail", "MqttClient.publishSize", "MqttClient.queue",
  "Inflight.oldestAfter", "Subscriptions.add", "Subscriptions.usesId",
  "encodeConnect", "connectLength", "encodeSubscribe", "encodeUnsubscribe", "encodeFilterList", "validateTopicFilter",
  "parseConnack", "parseSuback",
  // Errors and what a well-behaved broker never sends.
  "MqttClient.onDecodeError", "MqttClient.oversize", "MqttClient.onPubrec", "Decoder.oversize", "Decoder.fail",
  "oversizeCode", "topicNameError", "topicNameDetail",
  // The device: start, stop, restart, the link and network coming and going, the console, refusals.
  "Device.start", "Device.stop", "Device.restart", "Device.bindRestart", "Device.bindReboot", "Device.rebootNow",
  "Device.networkUp", "Device.networkDown", "Device.isConnected", "Device.linkUp", "Device.linkDown",
  "Device.sensorFailed", "Device.buttonHeld", "Device.pulseCommand", "Device.consoleCommand",
  "Device.setTelemetryPeriod", "Device.loadTelemetryPeriod", "Device.publishStatus", "Device.refuse",
  "Device.refused", "Device.birth", "Device.sendDirect", "Device.discover", "Device.announce",
  "Device.afterOutbox", "Outbox.add", "Outbox.seal", "Outbox.markAll", "Outbox.retire",
  "Relays.start", "Relays.stop", "Relays.hold", "Relays.pulseFor", "Relays.toggle", "Relays.cancelPulse", "Relays.outageBegan",
  "Sensors.stop", "Sensors.start", "Sensors.reportAll", "Sensors.driverFailed",
  "Console.find", "Console.formatStatus", "formatRefusal", "parsePulse", "parseUint",
  // The board features' start and stop (a method name several classes share goes to the bank only when
  // every class's method of that name is here).
  "Buttons.start", "Buttons.stop", "StatusLed.start", "Thermometers.start", "OneWireThermometers.add", "Dht22.add",
  // The board's seams: joining WiFi, opening a socket, a chunk larger than the socket buffer, logging.
  "WifiManager.start", "WifiManager.attempt", "WifiManager.up", "WifiManager.setTimer", "WifiManager.cancelTimer",
  "WifiManager.isUp", "WifiManager.failed", "WifiManager.schedule",
  "EspruinoNetTransport.open", "EspruinoNetTransport.describe",
  "EspruinoPins.mode", "EspruinoPins.read", "EspruinoPins.watch", "EspruinoPins.unwatch",
  "logText", "codeName",
];

/**
 * isColdKey(mangled) -> a test of the bundle's keys ("f", "C.prototype.m" with m as the build shortened it,
 * `mangled` being esbuild's mangle cache) against COLD_CODE.
 */
export function isColdKey(mangled: Record<string, string | false>): (key: string) => boolean {
  const keys = new Set<string>();
  for (const name of COLD_CODE) {
    const dot = name.indexOf(".");
    if (dot < 0) keys.add(name);
    else {
      const m = name.slice(dot + 1);
      const short = mangled[m];
      keys.add(name.slice(0, dot) + ".prototype." + (typeof short === "string" ? short : m));
    }
  }
  return (key) => keys.has(key);
}
