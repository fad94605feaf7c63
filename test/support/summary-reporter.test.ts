// The closing summary line counts a test that passed only on a retry, and names it.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const VITEST = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");

describe("the summary reporter", () => {
  it("shows a pass after a retry in the summary line and names the test", () => {
    const dir = mkdtempSync(join(tmpdir(), "relaymq-retry-"));
    try {
      const state = join(dir, "tries");
      writeFileSync(state, "");
      const r = spawnSync(process.execPath, [VITEST, "run", "--coverage.enabled=false"], {
        cwd: join(ROOT, "test/fixtures/retry"), encoding: "utf8", timeout: 60000,
        env: { ...process.env, RETRY_STATE: state, NO_COLOR: "1" },
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const lines = r.stdout.split("\n");
      expect(lines).toContain("tests: 2 passed, 0 failed, 1 skipped, 1 passed after a retry");
      expect(lines).toContain("retried: flaky.spec.ts > fails once, then passes (passed on try 2)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
