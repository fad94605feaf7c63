// What every command (build, flash, sim, decode) does at its edges: resolve the paths a user types from
// where the user stands, and end with an exit status once everything written has been flushed.
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * userPath(p) -> p resolved from the directory the user ran the command in. `npm run` starts scripts in
 * the package root and keeps the user's directory in INIT_CWD; a direct `tsx sim/cli/x.ts` has the cwd.
 */
export function userPath(p: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

/** shownPath(p) -> p as the user would type it: relative to where they stand when inside it, else absolute. */
export function shownPath(p: string): string {
  const r = relative(process.env.INIT_CWD ?? process.cwd(), p);
  return r === "" || r.startsWith("..") || isAbsolute(r) ? p : r;
}

/** isMain(moduleUrl) -> whether that module is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/**
 * runMain(name, main): runs a command and sets its exit status without process.exit(), which would cut
 * off a long report still on its way through a pipe. An unexpected error is one line, status 1. Should
 * something else hold the process open (a socket a library left), it ends once output has drained.
 */
export function runMain(name: string, main: () => Promise<number> | number): void {
  const end = (code: number) => {
    process.exitCode = code;
    const check = () => {
      if (process.stdout.writableLength + process.stderr.writableLength > 0) setTimeout(check, 200).unref();
      else process.exit(code);
    };
    setTimeout(check, 1000).unref();
  };
  Promise.resolve()
    .then(main)
    .then(end, (err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      end(1);
    });
}
