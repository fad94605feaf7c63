// JUnit XML, the report format CI systems read (GitLab, Jenkins, GitHub test reporters): one testsuite
// per mode, one testcase per scenario, a <failure> with what failed and the scenario's output, and
// <skipped> for scenarios the overall timeout left unrun.
import { relative } from "node:path";
import type { ScenarioResult } from "./run";
import type { Scenario } from "./steps";
import type { Mode } from "./session";

export interface NotRun {
  scenario: Scenario;
  mode: Mode;
}

/** junitXml(results, notRun) -> the XML document. */
export function junitXml(results: ScenarioResult[], notRun: NotRun[]): string {
  const modes = [...new Set<Mode>([...results.map((r) => r.mode), ...notRun.map((n) => n.mode)])];
  const total = results.length + notRun.length;
  const failures = results.filter((r) => !r.passed).length;
  const time = secs(results.reduce((a, r) => a + r.realMs, 0));
  const out = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="relaymq scenarios" tests="${total}" failures="${failures}" errors="0" skipped="${notRun.length}" time="${time}">`,
  ];
  for (const mode of modes) {
    const rs = results.filter((r) => r.mode === mode);
    const ns = notRun.filter((n) => n.mode === mode);
    const f = rs.filter((r) => !r.passed).length;
    out.push(`  <testsuite name="scenarios (${mode} mode)" tests="${rs.length + ns.length}" failures="${f}" errors="0" skipped="${ns.length}" time="${secs(rs.reduce((a, r) => a + r.realMs, 0))}">`);
    for (const r of rs) {
      out.push(`    <testcase ${caseAttrs(r.scenario, mode)} time="${secs(r.realMs)}">`);
      if (!r.passed) {
        out.push(`      <failure message="${esc(r.failure ?? "failed")}" type="${r.timedOut ? "timeout" : "scenario"}">${esc(r.output.join("\n"))}</failure>`);
      }
      out.push(`      <system-out>${esc(r.output.join("\n"))}</system-out>`);
      out.push(`    </testcase>`);
    }
    for (const n of ns) {
      out.push(`    <testcase ${caseAttrs(n.scenario, mode)} time="0">`);
      out.push(`      <skipped message="not run: the overall --timeout ran out"/>`);
      out.push(`    </testcase>`);
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
  return out.join("\n") + "\n";
}

function caseAttrs(s: Scenario, mode: Mode): string {
  const file = relative(process.cwd(), s.file) || s.file;
  const cls = file.replace(/^(\.\.[\\/])+/, "").replace(/\.ya?ml$/, "").replace(/[\\/]/g, ".");
  return `name="${esc(`${s.name} [${mode}]`)}" classname="${esc(cls)}" file="${esc(file)}"`;
}

function secs(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** esc(text) -> text safe in XML content and attributes; characters XML 1.0 cannot hold are dropped. */
export function esc(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
