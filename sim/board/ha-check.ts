// What Home Assistant would refuse in a board, found at build time with the path named: device classes
// that do not exist for the entity's platform, units and state classes a sensor device class does not
// allow (mqtt/sensor.py refuses a wrong unit since HA 2025.7), and discovery prefixes outside HA's topic
// rules. The rules themselves are data in ha-rules.ts.
import type { DeviceConfig } from "../../firmware/device/config";
import {
  BINARY_SENSOR_DEVICE_CLASSES, BUTTON_DEVICE_CLASSES, OBJECT_ID, SENSOR_DEVICE_CLASSES, SWITCH_DEVICE_CLASSES,
} from "./ha-rules";

export interface HaProblem {
  path: string;
  message: string;
}

const list = (xs: string[]): string => xs.map((x) => (x === "" ? "none" : x)).join(", ");
const an = (type: string): string => (type === "analog" ? "an analog" : `a ${type}`);

/** The platform Home Assistant gives relay r: a pulse relay is pressed (button), others switched. */
export function relayPlatform(pulseMs: number): "button" | "switch" {
  return pulseMs > 0 ? "button" : "switch";
}

/**
 * deviceClassProblems(c, skip) -> every device class, unit and state class Home Assistant would refuse;
 * skip(path) says a path already has an error. Units are text here (before the loader encodes them).
 */
export function deviceClassProblems(c: DeviceConfig, skip: (path: string) => boolean): HaProblem[] {
  const out: HaProblem[] = [];
  c.relays.forEach((x, i) => {
    const path = `relays[${i}].deviceClass`;
    if (x.deviceClass === null || skip(path)) return;
    const platform = relayPlatform(x.pulseMs);
    const allowed = platform === "button" ? BUTTON_DEVICE_CLASSES : SWITCH_DEVICE_CLASSES;
    if (!allowed.includes(x.deviceClass)) {
      const why = platform === "button" ? "a pulse relay is a Home Assistant button" : "a relay is a Home Assistant switch";
      out.push({ path, message: `"${x.deviceClass}" is not a ${platform} device class (${list(allowed)}); ${why}` });
    }
  });
  c.sensors.forEach((s, i) => {
    const path = `sensors[${i}].deviceClass`;
    if (s.deviceClass === null || skip(path)) return;
    if (s.type === "digital") {
      if (!BINARY_SENSOR_DEVICE_CLASSES.includes(s.deviceClass)) {
        out.push({ path, message: `"${s.deviceClass}" is not a binary_sensor device class (${list(BINARY_SENSOR_DEVICE_CLASSES)})` });
      }
      return;
    }
    if (!Object.prototype.hasOwnProperty.call(SENSOR_DEVICE_CLASSES, s.deviceClass)) {
      const known = Object.keys(SENSOR_DEVICE_CLASSES).filter((k) => SENSOR_DEVICE_CLASSES[k].numeric);
      out.push({ path, message: `"${s.deviceClass}" is not a sensor device class (${list(known)})` });
      return;
    }
    const rules = SENSOR_DEVICE_CLASSES[s.deviceClass];
    if (!rules.numeric) {
      out.push({ path, message: `"${s.deviceClass}" is for text states; ${an(s.type)} sensor reports numbers` });
      return;
    }
    const stateClass = s.type === "counter" ? "total_increasing" : "measurement";
    if (!rules.stateClasses.includes(stateClass)) {
      const takes = rules.stateClasses.length === 0 ? "no state class" : `state class ${rules.stateClasses.join(" or ")}`;
      out.push({ path, message: `"${s.deviceClass}" takes ${takes}; ${an(s.type)} sensor reports ${stateClass}` });
      return;
    }
    const unitPath = `sensors[${i}].unit`;
    if (rules.units !== null && !rules.units.includes(s.unit) && !skip(unitPath)) {
      out.push({
        path: unitPath,
        message: s.unit === ""
          ? `device class "${s.deviceClass}" needs one of its units (${list(rules.units)})`
          : `"${s.unit}" is not a unit of device class "${s.deviceClass}" (${list(rules.units)}); Home Assistant refuses the sensor`,
      });
    }
  });
  return out;
}

/**
 * prefixProblems(prefix) -> why Home Assistant's discovery would not take topics under this prefix: each
 * level must be one or more of A-Z, a-z, 0-9, "_", "-" (levels of topics it matches, discovery.py).
 */
export function prefixProblems(prefix: string): string[] {
  const levels = prefix.split("/");
  if (levels.includes("")) return [`"${prefix}" has an empty topic level`];
  const bad = levels.find((l) => !OBJECT_ID.test(l));
  if (bad !== undefined) {
    return [`"${prefix}" has the level "${bad}"; keep each level of the discovery prefix to A-Z, a-z, 0-9, "_" and "-"`];
  }
  return [];
}
