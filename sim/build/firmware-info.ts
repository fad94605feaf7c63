// What the build tells the firmware about itself, from package.json: the version Home Assistant shows as
// the device's firmware (sw_version) and the origin's support URL ("homepage"; none when it is not set).
import { readFileSync } from "node:fs";
import type { FirmwareInfo } from "../../firmware/device/config";

const PACKAGE_URL = new URL("../../package.json", import.meta.url);

let cached: FirmwareInfo | null = null;

/** firmwareInfo() -> {version, supportUrl} of this repository's package.json. */
export function firmwareInfo(): FirmwareInfo {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(PACKAGE_URL, "utf8")) as { version?: unknown; homepage?: unknown };
  cached = {
    version: typeof pkg.version === "string" ? pkg.version : "",
    supportUrl: typeof pkg.homepage === "string" ? pkg.homepage : "",
  };
  return cached;
}
