// The board a simulation runs: board.json as `npm run build` reads it, except that a "$NAME" secret
// missing from the environment becomes empty (with a notice), so `npm ci && npm start` works on a fresh
// machine; the embedded broker asks for no password. Bundle mode reads the board the bundle was built
// from (the sidecar `npm run build` writes next to it).
import { existsSync, readFileSync } from "node:fs";
import type { DeviceConfig } from "../../firmware/device/config";
import { loadBoard, type Secret } from "../board/load";

/** sidecarPath(bundle) -> "dist/firmware.board.json" for "dist/firmware.js". */
export function sidecarPath(bundle: string): string {
  return bundle.replace(/\.js$/, "") + ".board.json";
}

/** loadSimBoard(path, env) -> the config, notices and secrets (as loadBoard's); throws BoardError as loadBoard does. */
export function loadSimBoard(path: string, env: NodeJS.ProcessEnv): { config: DeviceConfig; notices: string[]; secrets: Map<string, Secret> } {
  const missing: string[] = [];
  const lenient = new Proxy(env, {
    get(target, name) {
      const v = Reflect.get(target, name);
      if (v === undefined && typeof name === "string" && /^[A-Z_][A-Z0-9_]*$/.test(name)) {
        missing.push(name);
        return "";
      }
      return v;
    },
  });
  const loaded = loadBoard(path, lenient);
  const notices = loaded.warnings.map((w) => "warning: " + w);
  for (const name of missing) notices.push(`notice: $${name} is not set; the simulator uses an empty value`);
  return { config: loaded.config, notices, secrets: loaded.secrets };
}

/** loadBundleBoard(bundle) -> the config embedded in the bundle (secrets blanked), or null without a sidecar. */
export function loadBundleBoard(bundle: string): DeviceConfig | null {
  const p = sidecarPath(bundle);
  if (!existsSync(p)) return null;
  return JSON.parse(readFileSync(p, "utf8")) as DeviceConfig;
}
