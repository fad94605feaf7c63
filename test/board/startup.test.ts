// The build's dry start (sim/board/startup.ts): whatever would throw in `new Device` on the board is a
// build error, and every board the rules accept starts.
import { describe, it, expect } from "vitest";
import { startupProblems, MAX_CONNECT_BYTES } from "../../sim/board/startup";
import { boardConfig } from "../device/harness";

describe("startupProblems", () => {
  it("the full test board starts: no problems", () => {
    expect(startupProblems(boardConfig(), "id")).toEqual([]);
  });

  it("a CONNECT just within the limit starts; one byte over is refused at the longest field", () => {
    const base = boardConfig();
    const fixed = startupProblems(boardConfig({ mqtt: { ...base.mqtt, password: "" } }), "id");
    expect(fixed).toEqual([]);
    // The CONNECT of the test board without a password, then grow the password to fill the limit.
    const without = 5 + 10 + 2 + 8 + 4 + "devices/esp32-01/status".length + 7 + 2 + 8 + 2;
    const fits = boardConfig({ mqtt: { ...base.mqtt, password: "p".repeat(MAX_CONNECT_BYTES - without) } });
    expect(startupProblems(fits, "id")).toEqual([]);
    const over = boardConfig({ mqtt: { ...base.mqtt, password: "p".repeat(MAX_CONNECT_BYTES - without + 1) } });
    expect(startupProblems(over, "id").map((p) => p.path)).toEqual(["mqtt.password"]);
  });

  it("what the device itself throws on is reported with its message", () => {
    const base = boardConfig();
    // Out of the schema's range, so only the dry start can see it.
    const problems = startupProblems(boardConfig({ mqtt: { ...base.mqtt, keepAlive: 70000 } }), "id");
    expect(problems).toEqual([{ path: "(board)", message: "the firmware cannot start with this board: invalid MQTT connect options: code -16" }]);
  });
});
