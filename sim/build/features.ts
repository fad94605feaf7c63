// The build flags of firmware/device/build-flags.d.ts for one board: a feature the board does not use is
// left out of its bundle (its classes would cost JsVars on the interpreter even unused).
import type { DeviceConfig } from "../../firmware/device/config";

/** featureDefines(config) -> esbuild defines: "true" for each feature the board uses, "false" for the others. */
export function featureDefines(config: DeviceConfig): Record<string, string> {
  return {
    __HAS_BUTTONS__: String((config.buttons ?? []).length > 0),
    __HAS_STATUS_LED__: String(config.statusLed !== undefined),
    __HAS_CONSOLE__: String(config.commands.console === true),
    __HAS_BUS_SENSORS__: String(config.sensors.some((s) => s.type === "ds18b20" || s.type === "dht22")),
    __HAS_DS18B20__: String(config.sensors.some((s) => s.type === "ds18b20")),
    __HAS_DHT22__: String(config.sensors.some((s) => s.type === "dht22")),
  };
}
