// Bundle mode builds the firmware from the scenario's board the way `npm run build` does (bundle, then
// the Espruino compatibility check), once per board in a process: ten scenarios on one board cost one
// build (about a second).
import type { DeviceConfig } from "../../firmware/device/config";
import { bundleBoard } from "../build/bundle";
import { checkEspruino } from "../build/espruino-check";

const builds = new Map<string, Promise<string>>();

/** builtFirmware(config) -> the minified ES5 bundle with config embedded; rejects when Espruino could not run it. */
export function builtFirmware(config: DeviceConfig): Promise<string> {
  const key = JSON.stringify(config);
  let b = builds.get(key);
  if (!b) {
    b = bundleBoard(config).then((source) => {
      const findings = checkEspruino(source);
      if (findings.length > 0) {
        const f = findings[0];
        throw new Error(`the firmware bundle uses what Espruino cannot run (${findings.length} finding(s)), first: ${f.line}:${f.column}: ${f.rule}: ${f.text}`);
      }
      return source;
    });
    builds.set(key, b);
    // A failed build is not kept: the next scenario tries again and reports its own error.
    b.catch(() => builds.delete(key));
  }
  return b;
}
