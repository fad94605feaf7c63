// The wiring table of a board, in plain text for the README and the build output: one row per relay and
// sensor with its pin and how to wire it.
import type { DeviceConfig, RelayConfig, SensorConfig } from "../../firmware/device/config";
import { esp32Pin } from "./esp32-pins";

const KIND: Record<SensorConfig["type"], string> = { digital: "digital in", analog: "analog in", counter: "counter" };

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
  }
}

/** wiringTable(config) -> a header line (board id, broker), a column header, one row per relay and sensor. */
export function wiringTable(config: DeviceConfig): string {
  const m = config.mqtt;
  const header = `Board ${config.id}, broker ${m.tls ? "mqtts" : "mqtt"}://${m.host}:${m.port}`;
  const rows: string[][] = [
    ["name", "kind", "pin", "wiring"],
    ...config.relays.map((r) => [r.name, "relay", r.pin, relayNote(r)]),
    ...config.sensors.map((s) => [s.name, KIND[s.type], s.pin, sensorNote(s)]),
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
