// Boards for the board.json tests: a minimal valid board to break one rule at a time, and the loader run
// on it that returns either the config or the problems.
import { BoardError, parseBoard, type LoadedBoard } from "../../sim/board/load";

export const ENV = { WIFI_PASSWORD: "correct-horse", MQTT_PASSWORD: "battery-staple" };

/** A valid board with two relays and one sensor of each type, no warnings. */
export function minimalBoard(): any {
  return {
    id: "b1",
    wifi: { ssid: "net", password: "$WIFI_PASSWORD" },
    mqtt: { host: "broker.lan", username: "b1", password: "$MQTT_PASSWORD" },
    relays: [
      { name: "r0", pin: "D26" },
      { name: "r1", pin: "D27" },
    ],
    sensors: [
      { name: "s0", type: "digital", pin: "D4" },
      { name: "s1", type: "counter", pin: "D13" },
      { name: "s2", type: "analog", pin: "D32" },
    ],
  };
}

export type Outcome =
  | { ok: true; loaded: LoadedBoard; warnings: string[] }
  | { ok: false; problems: string[]; warnings: string[]; error: BoardError };

export function run(board: unknown, env: Record<string, string | undefined> = ENV): Outcome {
  try {
    const loaded = parseBoard(JSON.stringify(board, null, 2), env);
    return { ok: true, loaded, warnings: loaded.warnings };
  } catch (err) {
    if (!(err instanceof BoardError)) throw err;
    return { ok: false, problems: err.problems, warnings: err.warnings, error: err };
  }
}

/** The minimal board after mutate(board). */
export function broken(mutate: (b: any) => void): any {
  const b = minimalBoard();
  mutate(b);
  return b;
}
