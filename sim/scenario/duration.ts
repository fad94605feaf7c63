// Durations as scenarios write them: "121s", "500ms", "2m", "1.5h". A unit is required: a bare number
// could be read as seconds or milliseconds, and the two differ by a thousand.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
const FORM = /^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)$/;

/** A duration: milliseconds, or text such as "121s". */
export type Duration = number | string;

/** parseDuration(text) -> milliseconds, or a message saying how to write it. */
export function parseDuration(text: unknown): number | string {
  if (typeof text === "number" || (typeof text === "string" && /^\s*\d+(\.\d+)?\s*$/.test(text))) {
    return `a duration needs a unit: write 121s or 500ms, not ${String(text).trim()}`;
  }
  if (typeof text !== "string") return `a duration is a number and a unit (121s, 500ms), not ${JSON.stringify(text)}`;
  const m = FORM.exec(text.trim());
  if (!m) return `"${text}" is not a duration: write a number and ms, s, m or h (121s, 500ms, 2m)`;
  return Number(m[1]) * UNITS[m[2]];
}

/** toMs(d) -> milliseconds of a Duration; throws on text that is not one. */
export function toMs(d: Duration): number {
  if (typeof d === "number") {
    if (!Number.isFinite(d) || d < 0) throw new Error(`${d} is not a duration in milliseconds`);
    return d;
  }
  const ms = parseDuration(d);
  if (typeof ms === "string") throw new Error(ms);
  return ms;
}

/** formatMs(ms) -> "121 s", "0.5 s", "250 ms": for step lines and failures. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms < 10 ? round(ms) : Math.round(ms)} ms`;
  return `${round(ms / 1000)} s`;
}

/** boardTime(ms) -> "t=121.000s": a board-time stamp. */
export function boardTime(ms: number): string {
  return `t=${(ms / 1000).toFixed(3)}s`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
