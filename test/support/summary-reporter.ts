// One plain closing line after the run, "tests: N passed, N failed, N skipped, N passed after a retry",
// that CI tools read without knowing vitest's own summary format; then one "retried:" line for each test
// that failed at first and passed on a retry, so a flaky pass is never counted as a plain one unseen.
import type { Reporter, TestModule } from "vitest/node";
import { relative } from "node:path";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    const retried: string[] = [];
    for (const m of modules) {
      if (m.state() === "failed" && [...m.children.allTests()].length === 0) failed++;
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === "passed") passed++;
        else if (s === "failed") failed++;
        else skipped++;
        const tries = t.diagnostic()?.retryCount ?? 0;
        if (s === "passed" && tries > 0) {
          retried.push(`retried: ${relative(process.cwd(), t.module.moduleId)} > ${t.fullName} (passed on try ${tries + 1})`);
        }
      }
    }
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped, ${retried.length} passed after a retry\n`);
    for (const line of retried) process.stdout.write(line + "\n");
  }
}
