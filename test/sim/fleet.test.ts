// A fleet from one board.json: each board its own id, client id and topics, so N boards never share a
// command topic, a status topic or a will.
import { describe, expect, it } from "vitest";
import { topicNames } from "../../firmware/device/topics";
import { parseBoard } from "../../sim/board/load";
import { fleetConfigs, fleetId, sharedTopics } from "../../sim/runner/fleet";
import { E2E_BOARD } from "./sim-harness";

const env = { WIFI_PASSWORD: "w", MQTT_PASSWORD: "m" };
const board = (patch: Record<string, unknown> = {}) => parseBoard(JSON.stringify({ ...JSON.parse(E2E_BOARD), ...patch }), env).config;

describe("fleet boards", () => {
  it("one board stays itself", () => {
    const c = board();
    expect(fleetConfigs(c, 1)).toEqual([c]);
  });

  it("ids, client ids and every topic follow the board's number", () => {
    const configs = fleetConfigs(board(), 3);
    expect(configs.map((c) => [c.id, c.mqtt.clientId])).toEqual([
      ["sim-e2e-0001", "sim-e2e-0001"], ["sim-e2e-0002", "sim-e2e-0002"], ["sim-e2e-0003", "sim-e2e-0003"],
    ]);
    const t = topicNames(configs[1]);
    expect([t.status, t.relaySet[0], t.relayState[0], t.sensorState[0], t.telemetry, t.error, t.commandFilters[0]]).toEqual([
      "devices/sim-e2e-0002/status", "devices/sim-e2e-0002/relay/pump/set", "devices/sim-e2e-0002/relay/pump/state",
      "devices/sim-e2e-0002/sensor/door/state", "devices/sim-e2e-0002/telemetry", "devices/sim-e2e-0002/error",
      "devices/sim-e2e-0002/relay/+/set",
    ]);
    expect(sharedTopics(configs)).toBe(false);
  });

  it("a client id of its own gets the same suffix", () => {
    const c = board({ mqtt: { host: "h", clientId: "relay-board" } });
    expect(fleetConfigs(c, 2).map((x) => x.mqtt.clientId)).toEqual(["relay-board-0001", "relay-board-0002"]);
  });

  it("topics without the id as a level are shared, and that is detected", () => {
    const c = board({ topics: { prefix: "plant/line1" } });
    expect(sharedTopics(fleetConfigs(c, 2))).toBe(true);
  });

  it("numbers the boards with four digits", () => {
    expect([fleetId("b", 1), fleetId("b", 42), fleetId("b", 2000)]).toEqual(["b-0001", "b-0042", "b-2000"]);
  });
});
