// Runs an allocation check in a child process (`node --import tsx FILE ARGS...` from the repo root), so
// nothing else in the test runner allocates during its window, and returns the JSON object it prints last.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** runGcChild(file, args, timeoutMs) -> the child's last stdout line, parsed; throws when it failed. */
export function runGcChild<T>(file: string, args: string[] = [], timeoutMs = 60_000): T {
  const r = spawnSync(process.execPath, ["--import", "tsx", file, ...args], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${file} failed (${r.status ?? r.signal}): ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as T;
}
