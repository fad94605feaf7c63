// The live view on a terminal: owns the screen (alternate buffer, hidden cursor) and the keyboard (raw
// mode) while it runs, redraws the rendered screen at a bounded rate, and gives the terminal back on
// close() or when the process exits, whichever comes first. A terminal left in raw mode without a cursor
// is the one failure users remember, so restoring is idempotent and hooked to process exit.
import type { BoardState } from "./board-state";
import { decodeKey, keyBindings, splitKeys, type KeyAction, type KeyBinding } from "./keys";
import { renderScreen, type ScreenInfo } from "./live-screen";

export interface LiveViewOptions {
  out: NodeJS.WriteStream;
  input: NodeJS.ReadStream;
  state: BoardState;
  /** Called at each redraw: what the screen shows around the board. */
  info: () => ScreenInfo;
  /** Every decoded key; "select" was already applied to the view's own selection. */
  onAction(a: KeyAction): void;
  /** Minimum time between redraws (default 100 ms). */
  intervalMs?: number;
}

const ENTER = "\u001b[?1049h\u001b[?25l\u001b[2J";
const LEAVE = "\u001b[0m\u001b[?25h\u001b[?1049l";
const HOME = "\u001b[H";
const CLEAR_LINE = "\u001b[K";
const CLEAR_BELOW = "\u001b[J";

/** The live terminal view of one board. */
export class LiveView {
  private readonly opts: LiveViewOptions;
  private readonly bindings: KeyBinding[];
  private readonly interval: number;
  /** We hold the alternate screen / raw mode and owe the terminal a restore. */
  private screen = false;
  private raw = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private lastDraw = -Infinity;
  private lastFrame = "";
  private selected: number | null;
  private readonly onData = (d: Buffer | string) => this.keys(typeof d === "string" ? d : d.toString("utf8"));
  private readonly onResize = () => {
    this.lastFrame = ""; // a resized terminal may have reflowed the old frame: repaint all of it
    this.invalidate();
  };
  private readonly onExit = () => this.restore();

  /** new LiveView(opts): takes over the terminal at once and draws the first screen. */
  constructor(opts: LiveViewOptions) {
    this.opts = opts;
    this.bindings = keyBindings(opts.state.config);
    this.interval = opts.intervalMs ?? 100;
    this.selected = this.bindings.find((b) => b.type === "analog")?.sensor ?? null;
    process.on("exit", this.onExit);
    if (opts.out.isTTY) {
      opts.out.write(ENTER);
      this.screen = true;
    }
    if (opts.input.isTTY && typeof opts.input.setRawMode === "function") {
      // Raw: keys arrive one by one, unechoed, and Ctrl-C arrives as "\u0003" (quit) instead of SIGINT.
      opts.input.setRawMode(true);
      this.raw = true;
    }
    opts.input.on("data", this.onData);
    opts.input.resume();
    opts.out.on("resize", this.onResize);
    this.draw();
  }

  /** The analog sensor (index) "+"/"-" move; starts on the first analog sensor. */
  get selectedAnalog(): number | null {
    return this.selected;
  }

  /** invalidate(): something changed; redraws soon, at most once per interval. */
  invalidate(): void {
    if (this.closed || this.timer !== null) return;
    const wait = Math.max(0, this.lastDraw + this.interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.draw();
    }, wait);
    this.timer.unref?.();
  }

  /** draw(): renders and writes the screen now (skipped when identical to the last one). */
  draw(): void {
    if (this.closed) return;
    this.lastDraw = Date.now();
    const { out } = this.opts;
    const info = this.opts.info();
    const screen = renderScreen(
      this.opts.state,
      { ...info, selected: info.selected === undefined ? this.selected : info.selected },
      // One column spare: a line filling the last column leaves the cursor there, and the erase that
      // follows would eat its last character.
      Math.max(1, (out.columns || 80) - 1),
      Math.max(1, out.rows || 24),
    );
    if (screen === this.lastFrame) return;
    this.lastFrame = screen;
    out.write(HOME + screen.split("\n").map((l) => l + CLEAR_LINE).join("\r\n") + CLEAR_BELOW);
  }

  /** close(): stops drawing and restores the terminal (raw mode off, cursor shown, main screen); idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.opts.input.off("data", this.onData);
    // A flowing stdin keeps the process alive after the simulator stopped.
    this.opts.input.pause();
    this.opts.out.off("resize", this.onResize);
    this.restore();
    process.off("exit", this.onExit);
  }

  // Runs on close() and on process exit; writes are synchronous on a TTY, so this lands even at exit.
  private restore(): void {
    if (this.raw) {
      this.raw = false;
      try {
        this.opts.input.setRawMode(false);
      } catch {
        // stdin already gone (terminal closed): nothing left to restore
      }
    }
    if (this.screen) {
      this.screen = false;
      this.opts.out.write(LEAVE);
    }
  }

  private keys(chunk: string): void {
    if (this.closed) return;
    for (const k of splitKeys(chunk)) {
      const a = decodeKey(k, this.bindings, this.selected);
      if (!a) continue;
      if (a.kind === "select" && a.sensor !== undefined) {
        this.selected = a.sensor;
        this.invalidate();
      }
      this.opts.onAction(a);
    }
  }
}
