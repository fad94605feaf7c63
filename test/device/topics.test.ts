// The board's topics: where console commands and the info answer go, from board.json's templates or the
// defaults (COMMAND_TOPIC, INFO_TOPIC) when it names none; set topics that would collide are refused.
import { describe, it, expect } from "vitest";
import { boardConfig, relay } from "./harness";
import { topicNames, CONSOLE_COMMANDS, COMMAND_TOPIC, INFO_TOPIC } from "../../firmware/device/topics";

describe("console topics", () => {
  it.each([
    { name: "the defaults", command: undefined, info: undefined, cmd: "devices/esp32-01/cmd/", infoTopic: "devices/esp32-01/info" },
    { name: "board.json's own", command: "ctl/{id}/{name}", info: "ctl/{id}/about", cmd: "ctl/esp32-01/", infoTopic: "ctl/esp32-01/about" },
  ])("$name: one command topic a console command, and the info topic", ({ command, info, cmd, infoTopic }) => {
    const base = boardConfig({ relays: [relay("pump", "D26")] });
    const config = { ...base, topics: { ...base.topics, command, info } };
    const t = topicNames(config);
    expect(t.consoleTopics).toEqual(CONSOLE_COMMANDS.map((c) => cmd + c));
    expect(t.info).toBe(infoTopic);
  });

  it("the defaults are the documented templates", () => {
    expect([COMMAND_TOPIC, INFO_TOPIC]).toEqual(["{prefix}/cmd/{name}", "{prefix}/info"]);
  });

  it("a bad command template is refused at start-up, naming the topic", () => {
    const base = boardConfig({ relays: [relay("pump", "D26")] });
    expect(() => topicNames({ ...base, topics: { ...base.topics, command: "ctl/#/{name}" } })).toThrow("invalid command topic: ctl/#/");
  });

  it("two relays on one set topic are refused: a command is routed by its exact topic", () => {
    const base = boardConfig({ relays: [relay("pump", "D26"), relay("fan", "D27")] });
    expect(() => topicNames({ ...base, topics: { ...base.topics, relaySet: "ctl/set" } })).toThrow("two relays share the set topic ctl/set");
  });
});
