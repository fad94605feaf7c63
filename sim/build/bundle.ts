// Bundles firmware TypeScript into one self-contained ES5 script for Espruino, in three passes:
// 1. esbuild bundles the TypeScript sources (ES2017) and folds constants: a `const` number or string
//    exported by a module of constants alone (errors.ts, packet-types.ts, states.ts) is inlined where it
//    is used. On the interpreter a name is looked up by a linear search of its scope, so each of the
//    ~100 error codes, packet types and states left in the bundle's one scope would cost every lookup.
// 2. TypeScript lowers that one file to ES5 (esbuild cannot lower let/const or classes to ES5), and the
//    wrapper it puts around each class is taken away (flatten.ts: a function two scopes deep costs more).
// 3. esbuild minifies the ES5 (short names, no whitespace: the interpreter lexes the source as it runs).
// Minified builds also shorten the property names that only the firmware's own classes use (mangle.ts),
// and then drop the methods no code in the bundle calls (dead-methods.ts). The board's own (sealed) build
// also frees its start-up code once started (boot-release.ts), keeps seldom-run code out of the heap until
// used (cold-code.ts), and runs without the bundle's wrapper, its names prefixed globals (top-level.ts).
// Only Espruino's built-in modules stay as require("...").
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ts from "typescript";
import type { DeviceConfig } from "../../firmware/device/config";
import { allErrorCodes, errorName } from "../../firmware/mqtt/errors";
import { mangleablePattern } from "./mangle";
import { flattenClasses } from "./flatten";
import { removeDeadMethods } from "./dead-methods";
import { releaseBootCode } from "./boot-release";
import { moveColdCode } from "./cold-code";
import { isColdKey } from "./cold";
import { hoistToTopLevel } from "./top-level";
import { firmwareInfo } from "./firmware-info";
import { featureDefines } from "./features";

const FIRMWARE = resolve(dirname(fileURLToPath(import.meta.url)), "../../firmware");

/** Modules the interpreter provides; everything else must be inside the bundle. */
export const ESPRUINO_BUILTINS = ["net", "tls", "Wifi", "Storage", "ESP32", "TelnetServer"];

export interface BundleOptions {
  entry: string;
  /** Values substituted for identifiers at build time (esbuild `define`), e.g. an embedded config. */
  define?: Record<string, string>;
  minify?: boolean;
  /**
   * Shorten the firmware classes' own property names (mangle.ts); with minify only. Default: for an entry
   * under firmware/. A test entry that fills an object with string keys and reads them as properties
   * would break, so test entries opt in.
   */
  mangle?: boolean;
  /**
   * Nothing outside the bundle calls a method of its objects (the board's firmware: the world reaches it
   * only through relaymqStop()), so every method nothing in it calls is dropped, not only shortened ones.
   */
  sealed?: boolean;
}

/** Methods the interpreter calls by name on its own (JSON.stringify, string conversion): never dead. */
const CALLED_NATIVELY = new Set(["toString", "toJSON", "valueOf", "constructor"]);

/** bundleFirmware(options) -> the ES5 source of one self-contained script. Throws on build errors. */
export async function bundleFirmware(options: BundleOptions): Promise<string> {
  const joined = await esbuild.build({
    entryPoints: [options.entry],
    bundle: true,
    write: false,
    // CommonJS keeps require("net") a plain call; an IIFE bundle would route it through a shim that
    // needs Proxy and Function.prototype.apply, which Espruino lacks. The entry exports nothing, so
    // no module.exports is emitted; the wrapper below keeps the bundle's names off the global scope (the
    // board's build takes it away at the end, prefixing those names instead: top-level.ts).
    format: "cjs",
    target: "es2017",
    platform: "neutral",
    mainFields: ["main"],
    external: ESPRUINO_BUILTINS,
    define: options.define ?? {},
    // Folds the constants of constants-only modules into the places that use them.
    minifySyntax: true,
    // Class fields as assignments in the constructor, not esbuild's defineProperty helper.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    legalComments: "none",
    logLevel: "silent",
  });
  // Inside a function esbuild shortens every name (in the last pass: flattenClasses needs each class's
  // own name on its wrapper and its inner function alike).
  const minify = options.minify ?? false;
  const mangle = minify && (options.mangle ?? resolve(options.entry).startsWith(FIRMWARE));
  const folded = await esbuild.transform("(function () {\n" + joined.outputFiles[0].text + "})();\n", {
    minifySyntax: true,
    mangleProps: mangle ? mangleablePattern(options.sealed === true) : undefined,
    mangleCache: mangle ? {} : undefined,
    target: "es2017",
    legalComments: "none",
    logLevel: "silent",
  });
  const es5 = ts.transpileModule(folded.code, {
    fileName: "firmware.js",
    compilerOptions: {
      target: ts.ScriptTarget.ES5,
      module: ts.ModuleKind.None,
      allowJs: true,
      // Helpers such as __extends or __spreadArray break on Espruino; failing the build on them
      // (the compatibility check) beats shipping them.
      importHelpers: false,
      removeComments: true,
    },
  }).outputText;
  let flat = flattenClasses(es5);
  if (mangle) {
    const shortened = new Set(Object.values(folded.mangleCache ?? {}).filter((v): v is string => typeof v === "string"));
    flat = removeDeadMethods(flat, options.sealed ? (name) => !CALLED_NATIVELY.has(name) : (name) => shortened.has(name));
  }
  if (options.sealed) {
    flat = releaseBootCode(flat).code;
    flat = moveColdCode(flat, isColdKey(folded.mangleCache ?? {})).code;
  }
  const out = await esbuild.transform(flat, {
    minify,
    minifySyntax: true,
    target: "es5",
    legalComments: "none",
    logLevel: "silent",
  });
  return options.sealed ? hoistToTopLevel(out.code).code : out.code;
}

const MAIN = resolve(FIRMWARE, "espruino/main.ts");

/** errorNames() -> "|-1=BUFFER_TOO_SMALL|-2=STRING_TOO_LONG|...|": the error table's names for the board's log. */
export function errorNames(): string {
  return "|" + allErrorCodes().map((c) => `${c}=${errorName(c)}`).join("|") + "|";
}

/**
 * boardDefines(config) -> what firmware/espruino/main.ts reads at build time: the board (__BOARD__), the
 * error table's names (__ERROR_NAMES__), the firmware's own version and support URL from package.json
 * (__RELAYMQ_VERSION__, __RELAYMQ_SUPPORT_URL__), and which optional features the board uses (features.ts).
 */
export function boardDefines(config: DeviceConfig): Record<string, string> {
  const f = firmwareInfo();
  return {
    __BOARD__: JSON.stringify(config),
    __ERROR_NAMES__: JSON.stringify(errorNames()),
    __RELAYMQ_VERSION__: JSON.stringify(f.version),
    __RELAYMQ_SUPPORT_URL__: JSON.stringify(f.supportUrl),
    ...featureDefines(config),
  };
}

/**
 * The MQTT engine as the board needs it (firmware/mqtt/build-flags.d.ts): the device publishes at QoS 0
 * and 1, subscribes at QoS 1, keeps its own outbox while offline, routes commands by topic itself and
 * never receives a server's packets, reads a packet's framing or counts its traffic, so those features stay
 * out of its bundle.
 */
export const DEVICE_ENGINE: Record<string, string> = {
  __MQTT_QOS2__: "false",
  __MQTT_OFFLINE_STORE__: "false",
  __MQTT_TOPIC_MATCH__: "false",
  __MQTT_SERVER_PACKETS__: "false",
  __MQTT_PACKET_FRAMING__: "false",
  __MQTT_TRAFFIC_STATS__: "false",
};

/** bundleBoard(config) -> the firmware as `npm run build` makes it (minified), with config embedded. */
export function bundleBoard(config: DeviceConfig): Promise<string> {
  return bundleFirmware({ entry: MAIN, define: { ...DEVICE_ENGINE, ...boardDefines(config) }, minify: true, sealed: true });
}
