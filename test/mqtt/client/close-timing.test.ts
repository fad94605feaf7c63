// The Transport contract lets onClose come "at once or later" after close() (Node's socket reports
// 'close' on a later turn; TcpTransport.close() even waits up to 1 s for unsent bytes). Between the
// client's decision to drop the link and onClose, nothing more may happen on that link.
import { describe, it, expect } from "vitest";
import { E_PING_TIMEOUT, E_CONNACK_TIMEOUT, E_UNEXPECTED_PACKET, E_CONNECTION_LOST } from "../../../firmware/mqtt";
import { ST_WAITING } from "../../../firmware/mqtt/client";
import { connack, publish, concat } from "../../support/fake-transport";
import { setup, names } from "./harness";

describe("onClose arriving after close() (deferred close)", () => {
  it("a drop followed by onClose later: one error, one close(), one reconnect", () => {
    const h = setup({ reconnectMinMs: 1000, random: () => 0 }, "deferred");
    h.up();
    h.t.deliver(connack()); // UNEXPECTED_PACKET
    expect(h.t.closeCalls).toBe(1);
    h.t.finishClose();
    expect(h.ev.errors).toEqual([E_UNEXPECTED_PACKET]);
    expect(h.ev.disconnected).toEqual([E_UNEXPECTED_PACKET]);
    expect(h.client.state).toBe(ST_WAITING);
    expect(h.waitOpen(10_000, 1)).toBe(1000); // attempt 0: [1000, 2000], random 0
    expect(h.t.openCalls).toBe(2);
  });

  it("a transport that never reports onClose: a tick connectTimeoutMs after the drop ends the link", () => {
    const h = setup({ connectTimeoutMs: 3000, reconnectMinMs: 1000, random: () => 0 }, "deferred");
    h.up();
    h.t.deliver(connack()); // UNEXPECTED_PACKET: close() called, onClose never comes
    expect(h.client.isConnected()).toBe(false);
    h.step(2999);
    expect(h.ev.disconnected).toEqual([]);
    expect(h.t.openCalls).toBe(1);
    h.step(1);
    expect(h.ev.errors).toEqual([E_UNEXPECTED_PACKET]);
    expect(h.ev.disconnected).toEqual([E_UNEXPECTED_PACKET]);
    expect(h.client.state).toBe(ST_WAITING);
    expect(h.t.closeCalls).toBe(1);
    expect(h.t.take()).toEqual([]); // nothing was written into the dying link
    expect(h.waitOpen(10_000, 1)).toBe(1000);
    h.t.accept();
    expect(h.t.takeBrief()).toEqual(["CONNECT"]);
    h.t.deliver(connack());
    expect(h.client.isConnected()).toBe(true);
    expect(h.ev.log).toEqual(["connected 0", "error UNEXPECTED_PACKET", "disconnected UNEXPECTED_PACKET", "connected 0"]);
  });

  it("ping timeout: ticks before onClose arrives do not report the timeout again or close again", () => {
    const h = setup({ keepAliveSec: 10, pingTimeoutMs: 2000 }, "deferred");
    h.up();
    h.step(10_000); // PINGREQ
    h.step(2000); // timeout: close() called, onClose not yet
    for (let i = 0; i < 5; i++) h.step(200); // TcpTransport may take up to 1 s
    h.t.finishClose();
    expect(names(h.ev.errors)).toEqual(["PING_TIMEOUT"]);
    expect(h.client.stats.errors).toBe(1);
    expect(h.t.closeCalls).toBe(1);
    expect(h.ev.disconnected).toEqual([E_PING_TIMEOUT]);
  });

  it("CONNACK timeout: ticks before onClose arrives do not report the timeout again or close again", () => {
    const h = setup({ connectTimeoutMs: 3000 }, "deferred");
    h.open();
    h.step(3000);
    for (let i = 0; i < 5; i++) h.step(200);
    h.t.finishClose();
    expect(h.ev.errors).toEqual([E_CONNACK_TIMEOUT]);
    expect(h.client.stats.errors).toBe(1);
    expect(h.t.closeCalls).toBe(1);
  });

  it("a message coalesced after a protocol violation is not delivered nor acknowledged", () => {
    const h = setup({}, "deferred");
    h.up();
    h.t.deliver(concat(connack(), publish({ topic: "after/violation", payload: "x", qos: 1, id: 9 })));
    expect(h.ev.errors).toEqual([E_UNEXPECTED_PACKET]);
    expect(h.ev.messages).toEqual([]);
    expect(h.t.failedWrites).toBe(0); // no PUBACK attempted on the dying link
  });

  it("a publish made after the drop, before onClose, is not sent into the dying link but kept", () => {
    const h = setup({ keepAliveSec: 10, pingTimeoutMs: 2000, cleanSession: false }, "deferred");
    h.up();
    h.step(10_000);
    h.step(2000); // PING_TIMEOUT, close pending
    h.t.take();
    const r = h.client.publish(new TextEncoder().encode("t"), new Uint8Array([0x41]), 0, 1, 1, false);
    expect(r).toBeGreaterThanOrEqual(0);
    h.t.finishClose();
    h.reconnect(true);
    // First transmission: DUP must be 0 for a PUBLISH that never went out [MQTT-3.3.1-1].
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #1 t=A"]);
  });

  it("the broker closing while we were already closing is one disconnect", () => {
    const h = setup({}, "deferred");
    h.up();
    h.client.stop();
    h.t.remoteClose();
    expect(h.ev.disconnected.length).toBe(1);
    expect(h.ev.errors).not.toContain(E_CONNECTION_LOST);
  });
});

describe("stop() while a drop awaits onClose", () => {
  // The session was connected (onConnected fired) and drop() owes onDisconnected from onClose; stop()
  // in between must not swallow it, nor write DISCONNECT into the dying link.
  it("onConnected is still paired with one onDisconnected", () => {
    const h = setup({}, "deferred");
    h.up();
    h.t.deliver(connack()); // UNEXPECTED_PACKET: close() called, onClose pending
    h.client.stop();
    h.t.finishClose();
    expect(h.ev.connected.length).toBe(1);
    expect(h.ev.disconnected.length).toBe(1);
    expect(h.t.take()).toEqual([]); // no DISCONNECT into the dying link
  });
});
