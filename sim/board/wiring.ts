// The wiring table of a board, in plain text for the README and the build output: one row per relay and
// sensor with its pin and how to wire it.
import type { ButtonConfig, DeviceConfig, RelayConfig, SensorConfig, StatusLedConfig } from "../../firmware/device/config";
import { esp32Pin } from "./esp32-pins";

const KIND: Record<SensorConfig["type"], string> = {
  digital: "digital in", analog: "analog in", counter: "counter", ds18b20: "DS18B20", dht22: "DHT22",
};

function relayNote(r: RelayConfig): string {
  return r.activeLow
    ? "IN pin of an active-low relay module: LOW = on"
    : "IN pin of an active-high relay module or transistor driver: HIGH = on";
}

function sensorNote(s: SensorConfig): string {
  switch (s.type) {
    case "digital":
      if (s.pull === "up") return `switch between pin and GND; closed = ${s.invert ? 1 : 0}`;
      if (s.pull === "down") return `switch between pin and 3.3 V; closed = ${s.invert ? 0 : 1}`;
      return "no internal pull: switch to GND with an external 10k pull-up to 3.3 V, or a driven 0/3.3 V signal";
    case "analog": {
      const ch = esp32Pin(s.pin)?.adcChannel;
      return `0-3.3 V max, ADC1${ch === null || ch === undefined ? "" : ` channel ${ch}`}`;
    }
    case "counter":
      if (s.pull === "up") return `open collector to GND, edge ${s.edge}`;
      if (s.pull === "down") return `pulses to 3.3 V, edge ${s.edge}`;
      return `open collector to GND with an external 10k pull-up to 3.3 V, edge ${s.edge}`;
    case "ds18b20":
      return `DQ (OneWire${s.rom ? `, ROM ${s.rom}` : ""}) with a 4.7k pull-up to 3.3 V (one per pin); VDD 3.3 V, GND`;
    case "dht22":
      return `DATA (${s.measure ?? "temperature"}) with a 10k pull-up to 3.3 V (most modules have it); VCC 3.3 V, GND`;
  }
}

function buttonNote(b: ButtonConfig): string {
  const what = b.relay === null ? (b.holdAction === "restart" ? "restart" : "nothing") : `${b.action} ${b.relay}`;
  const hold = b.holdAction === "restart" && b.relay !== null ? `, held ${b.holdMs / 1000} s: restart` : "";
  if (b.activeLow) {
    const pull = b.pull === "up" ? "" : " and an external 10k pull-up to 3.3 V";
    return `push button between pin and GND${pull}; press: ${what}${hold}`;
  }
  const pull = b.pull === "down" ? "" : " and an external 10k pull-down to GND";
  return `push button between pin and 3.3 V${pull}; press: ${what}${hold}`;
}

function ledNote(l: StatusLedConfig): string {
  return l.activeLow
    ? "LED from 3.3 V through 330 ohm to the pin (LOW = lit); blinks without WiFi or broker"
    : "LED from the pin through 330 ohm to GND (HIGH = lit); blinks without WiFi or broker";
}

/** wiringTable(config) -> a header line (board id, broker), a column header, one row per relay and sensor. */
export function wiringTable(config: DeviceConfig): string {
  const m = config.mqtt;
  const header = `Board ${config.id}, broker ${m.tls ? "mqtts" : "mqtt"}://${m.host}:${m.port}`;
  const rows: string[][] = [
    ["name", "kind", "pin", "wiring"],
    ...config.relays.map((r) => [r.name, "relay", r.pin, relayNote(r)]),
    ...config.sensors.map((s) => [s.name, KIND[s.type], s.pin, sensorNote(s)]),
    ...(config.buttons ?? []).map((b) => [b.name, "button", b.pin, buttonNote(b)]),
    ...(config.statusLed ? [["status", "LED", config.statusLed.pin, ledNote(config.statusLed)]] : []),
  ];
  if (rows.length === 1) return `${header}\n(no relays or sensors)\n`;
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  const lines = rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd());
  return [
    header,
    ...lines,
    "ESP32 pins are 3.3 V and not 5 V tolerant; all grounds are common.",
    "",
  ].join("\n");
}
