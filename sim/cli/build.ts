// npm run build [-- --board FILE] [--out FILE]: validates the board, bundles firmware/espruino/main.ts with
// the resolved config embedded into one self-contained ES5 file, checks it against what Espruino can run,
// and prints its size and the wiring table. A broken board or an incompatible bundle writes no file.
import { mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadBoard, BoardError } from "../board/load";
import { wiringTable } from "../board/wiring";
import { bundleBoard } from "../build/bundle";
import { checkEspruino } from "../build/espruino-check";
import { sidecarPath, withoutSecrets } from "./sim-board";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const USAGE = `usage: npm run build [-- --board FILE] [--out FILE]
  Validates the board (default board.json), bundles the firmware with it embedded and writes
  dist/firmware.js (or FILE). "$NAME" values in the board are read from the environment.`;

interface Args {
  board: string;
  out: string;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { board: resolve("board.json"), out: resolve(ROOT, "dist/firmware.js") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === "--board" || a === "--out") && i + 1 < argv.length) args[a === "--board" ? "board" : "out"] = resolve(argv[++i]);
    else if (a === "--help" || a === "-h") return "";
    else return `unknown argument: ${a}`;
  }
  return args;
}

/** build(argv, out, err) -> the exit status: 0 built, 1 broken board or bundle, 2 bad usage. */
export async function build(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    if (args) err(args);
    err(USAGE);
    return args ? 2 : 0;
  }
  let loaded;
  try {
    loaded = loadBoard(args.board, process.env);
  } catch (e) {
    if (!(e instanceof BoardError)) throw e;
    err(`${args.board}: not built, the board has ${e.problems.length} problem(s):`);
    for (const p of e.problems) err("  error: " + p);
    for (const w of e.warnings) err("  warning: " + w);
    rmSync(args.out, { force: true });
    rmSync(sidecarPath(args.out), { force: true });
    return 1;
  }
  for (const w of loaded.warnings) err("warning: " + w);
  const source = await bundleBoard(loaded.config);
  const findings = checkEspruino(source);
  if (findings.length > 0) {
    err(`not built: the bundle uses what Espruino cannot run:`);
    for (const f of findings) err(`  ${f.line}:${f.column}: ${f.rule}: ${f.text}`);
    rmSync(args.out, { force: true });
    rmSync(sidecarPath(args.out), { force: true });
    return 1;
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, source);
  // The simulator's --bundle mode reads the board the bundle embeds from here; no secrets in it.
  writeFileSync(sidecarPath(args.out), JSON.stringify(withoutSecrets(loaded.config), null, 2) + "\n");
  out(`${args.out}: ${Buffer.byteLength(source)} bytes (board ${loaded.config.id}, ES5, Espruino check passed)`);
  out("");
  out(wiringTable(loaded.config));
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build(process.argv.slice(2), (s) => console.log(s), (s) => console.error(s)).then((code) => process.exit(code));
}
