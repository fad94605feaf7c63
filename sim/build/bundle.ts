// Bundles firmware TypeScript into one self-contained ES5 script for Espruino. TypeScript (target ES5)
// lowers each file, because esbuild cannot lower let/const/classes to ES5; esbuild then joins the files.
// Only Espruino's built-in modules stay as require("...").
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ts from "typescript";
import type { DeviceConfig } from "../../firmware/device/config";

/** Modules the interpreter provides; everything else must be inside the bundle. */
export const ESPRUINO_BUILTINS = ["net", "tls", "Wifi", "Storage", "ESP32"];

export interface BundleOptions {
  entry: string;
  /** Values substituted for identifiers at build time (esbuild `define`), e.g. an embedded config. */
  define?: Record<string, string>;
  minify?: boolean;
}

const es5Plugin: esbuild.Plugin = {
  name: "typescript-es5",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const out = ts.transpileModule(source, {
        fileName: args.path,
        compilerOptions: {
          target: ts.ScriptTarget.ES5,
          module: ts.ModuleKind.ESNext,
          // Helpers such as __extends or __spreadArray break on Espruino; failing the build on them
          // (the compatibility check) beats shipping them.
          importHelpers: false,
          removeComments: false,
        },
      });
      return { contents: out.outputText, loader: "js" };
    });
  },
};

/** bundleFirmware(options) -> the ES5 source of one self-contained script. Throws on build errors. */
export async function bundleFirmware(options: BundleOptions): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [options.entry],
    bundle: true,
    write: false,
    // CommonJS keeps require("net") a plain call; an IIFE bundle would route it through a shim that
    // needs Proxy and Function.prototype.apply, which Espruino lacks. The entry exports nothing, so
    // no module.exports is emitted; the wrapper below keeps the bundle's names off the global scope.
    format: "cjs",
    target: "es5",
    platform: "neutral",
    mainFields: ["main"],
    external: ESPRUINO_BUILTINS,
    define: options.define ?? {},
    minify: options.minify ?? false,
    legalComments: "none",
    plugins: [es5Plugin],
    logLevel: "silent",
  });
  return "(function () {\n" + result.outputFiles[0].text + "})();\n";
}

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../firmware/espruino/main.ts");

/** bundleBoard(config) -> the firmware as `npm run build` makes it (minified), with config embedded. */
export function bundleBoard(config: DeviceConfig): Promise<string> {
  return bundleFirmware({ entry: MAIN, define: { __BOARD__: JSON.stringify(config) }, minify: true });
}
