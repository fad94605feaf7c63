// The counters a device reports: connects, reconnects, packets and messages in/out, dropped, errors.
import { describe, it, expect } from "vitest";
import { E_CONNECT_FAILED, E_QOS0_OFFLINE, E_OFFLINE_FULL, E_RX_OVERFLOW, E_CONNECTION_LOST } from "../../../firmware/mqtt";
import { connack, suback, puback, pubrec, pubcomp, pubrel, publish } from "../../support/fake-transport";
import { setup, pub, b } from "./harness";

describe("stats", () => {
  it("count one session's traffic exactly", () => {
    const h = setup({ rxBytes: 100, offlineBytes: 20, cleanSession: false, reconnectMinMs: 10 });
    const s = h.client.stats;
    expect({ ...s }).toEqual({
      connects: 0, reconnects: 0, packetsIn: 0, packetsOut: 0, messagesIn: 0, messagesOut: 0, dropped: 0, errors: 0,
      unknownAcks: 0, bytesIn: 0, bytesOut: 0,
    });
    expect(pub(h, "t", "lost", 0)).toBe(E_QOS0_OFFLINE); // dropped 1
    h.t.refuseNextOpen(E_CONNECT_FAILED); // errors 1
    h.client.start();
    h.reconnect(false); // CONNECT out 1, CONNACK in 1
    expect([s.connects, s.reconnects]).toEqual([1, 0]);
    h.client.subscribe(b("in/#"), 2); // out 2
    h.t.deliver(suback(1, [2])); // in 2
    pub(h, "t", "q0", 0); // out 3, messagesOut 1
    pub(h, "t", "q1", 1); // out 4, messagesOut 2
    h.t.deliver(puback(2)); // in 3
    pub(h, "t", "q2", 2); // out 5, messagesOut 3
    h.t.deliver(pubrec(3)); // in 4, PUBREL out 6
    h.t.deliver(pubcomp(3)); // in 5
    h.t.deliver(publish({ topic: "in/0", payload: "a" })); // in 6, messagesIn 1
    h.t.deliver(publish({ topic: "in/1", payload: "b", qos: 1, id: 1 })); // in 7, messagesIn 2, PUBACK out 7
    h.t.deliver(publish({ topic: "in/2", payload: "c", qos: 2, id: 2 })); // in 8, messagesIn 3, PUBREC out 8
    h.t.deliver(pubrel(2)); // in 9, PUBCOMP out 9
    h.t.deliver(publish({ topic: "in/big", payload: "x".repeat(200) })); // oversize: dropped 2, errors 2
    expect({ packetsIn: s.packetsIn, packetsOut: s.packetsOut, messagesIn: s.messagesIn, messagesOut: s.messagesOut })
      .toEqual({ packetsIn: 9, packetsOut: 9, messagesIn: 3, messagesOut: 3 });
    h.t.remoteClose(); // errors 3
    expect(pub(h, "t", "y".repeat(30), 1)).toBe(E_OFFLINE_FULL); // dropped 3, errors 4
    h.reconnect(true); // CONNECT out 10, CONNACK in 10
    expect({ ...s }).toEqual({
      connects: 2, reconnects: 1, packetsIn: 10, packetsOut: 10, messagesIn: 3, messagesOut: 3, dropped: 3, errors: 4,
      unknownAcks: 0, bytesIn: h.t.bytesDelivered, bytesOut: h.t.bytesWritten,
    });
    expect(h.ev.errors).toEqual([E_CONNECT_FAILED, E_RX_OVERFLOW, E_CONNECTION_LOST, E_OFFLINE_FULL]);
  });

  it("resends after a reconnect are packets out but not new messages", () => {
    const h = setup({ cleanSession: false });
    h.up();
    pub(h, "t", "m", 1);
    h.t.remoteClose();
    h.reconnect(true);
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #1 dup t=m"]);
    expect(h.client.stats.messagesOut).toBe(1);
    expect(h.client.stats.packetsOut).toBe(4); // CONNECT, PUBLISH, CONNECT, PUBLISH (dup)
  });

  it("bytes in / out match what crossed the transport, however the bytes were chunked", () => {
    const h = setup();
    h.up();
    const p = publish({ topic: "a", payload: "hello", qos: 1, id: 1 });
    h.t.deliverBytewise(p);
    expect(h.client.stats.bytesIn).toBe(h.t.bytesDelivered);
    expect(h.client.stats.bytesOut).toBe(h.t.bytesWritten);
  });

  it("INFLIGHT_FULL is returned to the caller, not counted as a dropped message", () => {
    const h = setup({ inflight: 1 });
    h.up();
    pub(h, "t", "1", 1);
    pub(h, "t", "2", 1);
    expect(h.client.stats.dropped).toBe(0);
    expect(h.client.stats.messagesOut).toBe(1);
  });

  it("connects count CONNACKs accepted, not attempts; refusals count as errors", () => {
    const h = setup({ reconnectMinMs: 10, reconnectMaxMs: 10 });
    h.open();
    h.t.deliver(connack(false, 3));
    h.waitOpen();
    h.t.accept();
    h.t.deliver(connack(false, 0));
    expect(h.client.stats.connects).toBe(1);
    expect(h.client.stats.reconnects).toBe(0);
    expect(h.client.stats.errors).toBe(1);
  });
});
