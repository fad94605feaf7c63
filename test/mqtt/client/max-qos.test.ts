// maxQos below 2: a client that never subscribes at QoS 2 (the relay device) keeps no QoS 2 receive
// state, refuses QoS 2 subscriptions, and treats a QoS 2 PUBLISH as the broker breaking [MQTT-3.8.4-6].
import { describe, it, expect } from "vitest";
import { E_QOS_INVALID, E_QOS_NOT_GRANTED, errorName } from "../../../firmware/mqtt/errors";
import { publish } from "../../support/fake-transport";
import { setup, b } from "./harness";

describe("maxQos", () => {
  it.each([
    { maxQos: 0, qos: 1, result: E_QOS_INVALID },
    { maxQos: 1, qos: 2, result: E_QOS_INVALID },
    { maxQos: 1, qos: 1, result: 0 },
    { maxQos: 2, qos: 2, result: 0 },
  ])("maxQos $maxQos: subscribe at QoS $qos -> $result", ({ maxQos, qos, result }) => {
    const h = setup({ maxQos });
    expect(h.client.subscribe(b("cmd/#"), qos)).toBe(result);
  });

  it("maxQos 1: a QoS 2 PUBLISH is not delivered and ends the connection with QOS_NOT_GRANTED", () => {
    const h = setup({ maxQos: 1 });
    h.up();
    h.t.deliver(publish({ topic: "cmd/x", payload: "ON", qos: 2, id: 5 }));
    expect(h.ev.messages).toEqual([]);
    expect(h.ev.errors.map(errorName)).toContain(errorName(E_QOS_NOT_GRANTED));
    expect(h.t.takeBrief()).not.toContain("PUBREC #5");
    expect(h.client.isConnected()).toBe(false);
  });

  it("maxQos 1: QoS 0 and 1 messages are delivered as usual", () => {
    const h = setup({ maxQos: 1 });
    h.up();
    h.t.deliver(publish({ topic: "cmd/x", payload: "ON", qos: 1, id: 6 }));
    h.t.deliver(publish({ topic: "cmd/y", payload: "OFF" }));
    expect(h.ev.messages.map((m) => m.payload)).toEqual(["ON", "OFF"]);
    expect(h.t.takeBrief()).toEqual(["PUBACK #6"]);
  });
});
