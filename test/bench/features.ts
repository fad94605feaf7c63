// What each of the board's own features costs on the board: the repo's board.json with no feature, then
// with one feature at a time, then with all of them, each built as `npm run build` builds it and run in
// the real Espruino interpreter (from .bootcde, connected over a fake socket) to read the JsVars in use
// after the boot burst, with the bundle's size as the board stores it (pretokenised by npm run flash).
// Needs ESPRUINO_BIN; says it skipped without it. Ends with
// one line: `features: base J JsVars B KB, all features +J JsVars +B KB`.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { restingJsVars } from "./espruino";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

type Board = Record<string, any>;

/** The features, each as what it adds to board.json. */
export const FEATURES: { name: string; add(b: Board): void }[] = [
  { name: "console commands", add: (b) => { b.commands = { ...b.commands, console: true }; } },
  { name: "1 button", add: (b) => { b.buttons = [{ name: "b1", pin: "D0", relay: "pump", action: "toggle" }]; } },
  { name: "3 buttons (hold: restart)", add: (b) => {
    b.buttons = [
      { name: "b1", pin: "D0", relay: "pump", action: "toggle" }, { name: "b2", pin: "D15", relay: "valve1", action: "momentary" },
      { name: "rst", pin: "D18", action: "none", holdAction: "restart" },
    ];
  } },
  { name: "status LED", add: (b) => { b.statusLed = { pin: "D2" }; } },
  { name: "1 DS18B20", add: (b) => { b.sensors.push({ name: "tank", type: "ds18b20", pin: "D14" }); } },
  { name: "2 DS18B20 on one pin", add: (b) => {
    b.sensors.push({ name: "tank", type: "ds18b20", pin: "D14", rom: "28ff4c1a0b160445" },
      { name: "pipe", type: "ds18b20", pin: "D14", rom: "28aa01b2c3d4e5d4" });
  } },
  { name: "DHT22 (temperature, humidity)", add: (b) => {
    b.sensors.push({ name: "room_t", type: "dht22", pin: "D16" }, { name: "room_rh", type: "dht22", pin: "D16", measure: "humidity" });
  } },
  { name: "telnet console on", add: (b) => { b.console = { telnet: true }; } },
];

/** base() -> board.json with none of the features (the console commands are on by default). */
export function base(): Board {
  const b = JSON.parse(readFileSync(join(ROOT, "board.json"), "utf8"));
  b.commands = { ...b.commands, console: false };
  return b;
}

export async function run(): Promise<string> {
  const bin = process.env.ESPRUINO_BIN;
  if (!bin) return "features: skipped, ESPRUINO_BIN is not set (an Espruino Linux build)";
  const b0 = await restingJsVars(bin, base());
  console.log(`Espruino interpreter (${bin}): JsVars in use after the boot burst, and the bundle, per feature`);
  console.log(`  ${"board.json without any feature".padEnd(36)} ${String(b0.jsvars).padStart(6)} JsVars ${String(b0.bundleBytes).padStart(7)} B`);
  const all = base();
  for (const f of FEATURES) {
    const b = base();
    f.add(b);
    if (f.name !== "1 DS18B20" && f.name !== "1 button") f.add(all);
    const r = await restingJsVars(bin, b);
    const dv = r.jsvars - b0.jsvars;
    const db = r.bundleBytes - b0.bundleBytes;
    console.log(`  ${("+ " + f.name).padEnd(36)} ${String(r.jsvars).padStart(6)} JsVars (${dv >= 0 ? "+" : ""}${dv}) ${String(r.bundleBytes).padStart(7)} B (${db >= 0 ? "+" : ""}${db})`);
  }
  const a = await restingJsVars(bin, all);
  console.log(`  ${"+ all of them".padEnd(36)} ${String(a.jsvars).padStart(6)} JsVars (+${a.jsvars - b0.jsvars}) ${String(a.bundleBytes).padStart(7)} B (+${a.bundleBytes - b0.bundleBytes})`);
  return `features: base ${b0.jsvars} JsVars ${(b0.bundleBytes / 1024).toFixed(1)} KB, all features +${a.jsvars - b0.jsvars} JsVars `
    + `+${((a.bundleBytes - b0.bundleBytes) / 1024).toFixed(1)} KB`;
}
