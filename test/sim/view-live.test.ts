// LiveView on fake terminal streams: it takes the terminal (alternate screen, hidden cursor, raw mode),
// draws the screen at a bounded rate, turns keys into actions, and always gives the terminal back.
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BoardState } from "../../sim/view/board-state";
import type { KeyAction } from "../../sim/view/keys";
import { LiveView } from "../../sim/view/live-view";
import { ev, info, session, testConfig } from "./view-helpers";

const ENTER_ALT = "\u001b[?1049h";
const LEAVE_ALT = "\u001b[?1049l";
const HIDE_CURSOR = "\u001b[?25l";
const SHOW_CURSOR = "\u001b[?25h";

interface Fake {
  out: NodeJS.WriteStream;
  input: NodeJS.ReadStream;
  writes: string[];
  setRawMode: ReturnType<typeof vi.fn>;
}

function fakeTerminal(tty = true, columns = 80, rows = 24): Fake {
  const writes: string[] = [];
  const out = new PassThrough() as unknown as NodeJS.WriteStream & { isTTY: boolean };
  out.isTTY = tty;
  out.columns = columns;
  out.rows = rows;
  out.write = ((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as NodeJS.WriteStream["write"];
  const input = new PassThrough() as unknown as NodeJS.ReadStream & { isTTY: boolean };
  input.isTTY = tty;
  const setRawMode = vi.fn(() => input);
  if (tty) input.setRawMode = setRawMode as unknown as NodeJS.ReadStream["setRawMode"];
  return { out, input, writes, setRawMode };
}

/** The screen lines inside one frame write (cursor and erase codes removed). */
function frameLines(w: string): string[] {
  // eslint-disable-next-line no-control-regex
  return w.replace(/\u001b\[(H|K|J)/g, "").split("\r\n");
}

const frames = (f: Fake) => f.writes.filter((w) => w.startsWith("\u001b[H"));

describe("LiveView", () => {
  let views: LiveView[] = [];
  const open = (f: Fake, actions: KeyAction[] = [], state = new BoardState(testConfig())) => {
    const v = new LiveView({ out: f.out, input: f.input, state, info: () => info(), onAction: (a) => actions.push(a) });
    views.push(v);
    return v;
  };

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    for (const v of views) v.close();
    views = [];
    vi.useRealTimers();
  });

  it("takes the terminal and draws the first screen at once", () => {
    const f = fakeTerminal();
    open(f);
    expect(f.writes[0]).toContain(ENTER_ALT);
    expect(f.writes[0]).toContain(HIDE_CURSOR);
    expect(f.setRawMode).toHaveBeenCalledWith(true);
    const lines = frameLines(frames(f)[0]);
    expect(lines[0]).toMatch(/^relaymq simulator  esp32-01/);
    expect(lines).toHaveLength(24);
    for (const l of lines) expect(l.length).toBeLessThan(80);
  });

  it("restores the terminal on close: raw mode off, cursor shown, main screen back, once", () => {
    const f = fakeTerminal();
    const exitHooks = process.listenerCount("exit");
    const v = open(f);
    expect(process.listenerCount("exit")).toBe(exitHooks + 1);
    v.close();
    v.close();
    expect(f.setRawMode).toHaveBeenLastCalledWith(false);
    const tail = f.writes.slice(-1)[0];
    expect(tail).toContain(SHOW_CURSOR);
    expect(tail).toContain(LEAVE_ALT);
    expect(f.writes.filter((w) => w.includes(LEAVE_ALT))).toHaveLength(1);
    expect(process.listenerCount("exit")).toBe(exitHooks);
    expect(f.input.isPaused()).toBe(true);
  });

  it("restores the terminal when the process exits without close()", () => {
    const f = fakeTerminal();
    const before = process.listeners("exit");
    open(f);
    const hook = process.listeners("exit").find((l) => !before.includes(l))!;
    (hook as () => void)();
    expect(f.setRawMode).toHaveBeenLastCalledWith(false);
    expect(f.writes.slice(-1)[0]).toContain(LEAVE_ALT);
  });

  it("redraws at most once per 100 ms however many changes arrive", () => {
    const f = fakeTerminal();
    const state = new BoardState(testConfig());
    const v = open(f, [], state);
    const events = session();
    for (const e of events) {
      state.apply(e);
      v.invalidate();
    }
    expect(frames(f)).toHaveLength(1);
    vi.advanceTimersByTime(99);
    expect(frames(f)).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(frames(f)).toHaveLength(2);
    expect(frames(f)[1]).toContain("pump  D26  ON   pin LOW");
    vi.advanceTimersByTime(1000);
    expect(frames(f)).toHaveLength(2);
  });

  it("writes nothing when a redraw would show the same screen", () => {
    const f = fakeTerminal();
    const v = open(f);
    v.invalidate();
    vi.advanceTimersByTime(500);
    expect(frames(f)).toHaveLength(1);
  });

  it("turns keys into actions, arrows moving the analog sensor chosen with its digit", () => {
    const f = fakeTerminal();
    const actions: KeyAction[] = [];
    const v = open(f, actions);
    f.input.emit("data", Buffer.from("1"));
    f.input.emit("data", "3");
    f.input.emit("data", "2\u001b[A\u001b[B");
    f.input.emit("data", "xk");
    f.input.emit("data", "r");
    f.input.emit("data", "\u0003");
    expect(actions).toEqual([
      { kind: "flip", sensor: 0 },
      { kind: "pulse", sensor: 2 },
      { kind: "select", sensor: 1 },
      { kind: "analog", sensor: 1, delta: 0.05 },
      { kind: "analog", sensor: 1, delta: -0.05 },
      { kind: "kill" },
      { kind: "boot" },
      { kind: "quit" },
    ]);
    expect(v.selectedAnalog).toBe(1);
  });

  it("marks the selected analog sensor on screen", () => {
    const f = fakeTerminal();
    open(f);
    f.input.emit("data", "2");
    vi.advanceTimersByTime(100);
    expect(frameLines(frames(f).slice(-1)[0]).some((l) => l.startsWith("> light"))).toBe(true);
  });

  it("ignores keys after close", () => {
    const f = fakeTerminal();
    const actions: KeyAction[] = [];
    const v = open(f, actions);
    v.close();
    f.input.emit("data", "1");
    expect(actions).toEqual([]);
  });

  it("redraws the whole screen at the new size after a resize", () => {
    const f = fakeTerminal(true, 100, 30);
    open(f);
    f.out.columns = 40;
    f.out.rows = 12;
    f.out.emit("resize");
    vi.advanceTimersByTime(100);
    const lines = frameLines(frames(f).slice(-1)[0]);
    expect(lines).toHaveLength(12);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(39);
  });

  it("leaves a terminal that is not a TTY alone: no alternate screen, no raw mode", () => {
    const f = fakeTerminal(false);
    const v = open(f);
    v.close();
    expect(f.writes.join("")).not.toContain(ENTER_ALT);
    expect(f.writes.join("")).not.toContain(LEAVE_ALT);
    expect(f.setRawMode).not.toHaveBeenCalled();
  });

  it("draws a state fed after start once invalidated", () => {
    const f = fakeTerminal();
    const state = new BoardState(testConfig());
    const v = open(f, [], state);
    state.apply(ev(1, { event: "stopped", how: "killed" }));
    v.invalidate();
    vi.advanceTimersByTime(100);
    expect(frames(f).slice(-1)[0]).toContain("stopped: killed");
  });
});
