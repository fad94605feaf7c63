// npm run build [-- --board FILE] [--out FILE]: validates the board, bundles firmware/espruino/main.ts with
// the resolved config embedded into one self-contained ES5 file, checks it against what Espruino can run,
// and prints its size and the wiring table. Outputs go through a temporary file renamed into place, so a
// broken board, an incompatible bundle or a full disk leaves the previous build as it was. The firmware
// holds the secrets and is made readable by its owner only; the board description beside it holds none.
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { loadBoard, BoardError, type LoadedBoard } from "../board/load";
import { wiringTable } from "../board/wiring";
import { bundleBoard } from "../build/bundle";
import { pretokenise } from "../build/pretokenise";
import { checkEspruino } from "../build/espruino-check";
import { deployWarnings } from "../build/deploy-warnings";
import { publicBoard } from "../build/public-board";
import { ioReason } from "../io-reason";
import { sidecarPath } from "./sim-board";
import { isMain, runMain, userPath } from "./entry";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const USAGE = `usage: npm run build [-- --board FILE] [--out FILE]
  Validates the board (default board.json), bundles the firmware with it embedded and writes
  dist/firmware.js (or FILE; mode 0600, it holds the secrets) and, beside it, firmware.board.json (the
  board without its secrets, for npm run sim -- --bundle). "$NAME" values are read from the environment.
  Relative paths are taken from the directory you run the command in.
  Exit status: 0 built, 1 not built (the previous build is kept), 2 bad usage.`;

interface Args {
  board: string;
  out: string;
}

/** parseArgs(argv) -> the arguments, "" for --help, or the usage problem. */
export function parseArgs(argv: string[]): Args | string {
  const args: Args = { board: resolve(ROOT, "board.json"), out: resolve(ROOT, "dist/firmware.js") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") return "";
    if (a !== "--board" && a !== "--out") return `unknown argument: ${a}`;
    const v = argv[i + 1];
    if (v === undefined || v === "" || v.startsWith("-")) return `${a} needs a file`;
    args[a === "--board" ? "board" : "out"] = userPath(v);
    i++;
  }
  return args;
}

function sameFile(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

// -> why the build must not write where --out points, or null. The inputs are the board, its schema and
// the firmware sources; an existing directory cannot become a file.
function outputProblem(args: Args): string | null {
  const sidecar = sidecarPath(args.out);
  for (const [what, p] of [["--out", args.out], ["its board description", sidecar]] as const) {
    if (sameFile(p, args.board)) return `${what} ${p} is the board file: the build would overwrite its own input`;
    if (sameFile(p, resolve(ROOT, "board.schema.json"))) return `${what} ${p} is the board schema, an input of the build`;
    if ((existsSync(p) ? realpathSync(p) : p).startsWith(resolve(ROOT, "firmware") + sep)) {
      return `${what} ${p} is inside firmware/, the sources the build reads`;
    }
    if (existsSync(p) && statSync(p).isDirectory()) return `${what} ${p} is a directory; name a file, e.g. ${join(p, "firmware.js")}`;
  }
  return null;
}

// Writes each file to a temporary one beside it, then renames them all into place: a write that fails
// (a full disk, a directory without permission) leaves every previous output as it was.
// -> null, or the file that could not be written and why.
function writeAll(files: { path: string; data: string; mode: number }[]): { path: string; reason: string } | null {
  const tmps: string[] = [];
  for (const f of files) {
    const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
    try {
      makeDirs(dirname(f.path));
      tmps.push(tmp);
      writeFileSync(tmp, f.data, { mode: f.mode });
    } catch (e) {
      for (const t of tmps) rmSync(t, { force: true });
      return { path: f.path, reason: ioReason(e) };
    }
  }
  files.forEach((f, i) => renameSync(tmps[i], f.path));
  return null;
}

// mkdirSync(dir, { recursive: true }) loops forever under /proc (Node 20); one level at a time instead.
function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  makeDirs(dirname(dir));
  mkdirSync(dir);
}

function kept(out: string): string {
  return existsSync(out) ? `; ${out} is the previous build, left as it was` : "";
}

/** build(argv, out, err) -> the exit status: 0 built, 1 broken board, bundle or output, 2 bad usage. */
export async function build(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    if (args) err(args);
    (args ? err : out)(USAGE);
    return args ? 2 : 0;
  }
  const refused = outputProblem(args);
  if (refused) {
    err(`not built: ${refused}`);
    return 1;
  }
  let loaded: LoadedBoard;
  try {
    loaded = loadBoard(args.board, process.env);
  } catch (e) {
    if (!(e instanceof BoardError)) throw e;
    err(`${args.board}: not built, the board has ${e.problems.length} problem(s)${kept(args.out)}:`);
    for (const p of e.problems) err("  error: " + p);
    for (const w of e.warnings) err("  warning: " + w);
    return 1;
  }
  for (const w of [...loaded.warnings, ...deployWarnings(loaded.config, loaded.secrets)]) err("warning: " + w);
  const source = await bundleBoard(loaded.config);
  const findings = checkEspruino(source);
  if (findings.length > 0) {
    err(`not built: the bundle uses what Espruino cannot run${kept(args.out)}:`);
    for (const f of findings) err(`  ${f.line}:${f.column}: ${f.rule}: ${f.text}`);
    return 1;
  }
  const pub = publicBoard(loaded.config, loaded.secrets);
  const failed = writeAll([
    { path: args.out, data: source, mode: 0o600 },
    // The simulator's --bundle mode reads the board the bundle embeds from here.
    { path: sidecarPath(args.out), data: JSON.stringify(pub, null, 2) + "\n", mode: 0o644 },
  ]);
  if (failed) {
    err(`not built: cannot write ${failed.path}: ${failed.reason}${kept(args.out)}`);
    return 1;
  }
  out(`${args.out}: ${Buffer.byteLength(source)} bytes (board ${pub.id}, ES5, Espruino check passed; ` +
    "it holds the board's secrets: readable by you only)");
  out(`  on the board: ${pretokenise(source).length} bytes, as npm run flash stores it (pretokenised)`);
  out("");
  out(wiringTable(pub));
  return 0;
}

if (isMain(import.meta.url)) {
  runMain("build", () => build(process.argv.slice(2), (s) => process.stdout.write(s + "\n"), (s) => process.stderr.write(s + "\n")));
}
