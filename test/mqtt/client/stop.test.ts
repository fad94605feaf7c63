// stop(): a clean DISCONNECT, then the transport closed, and no reconnect afterwards.
import { describe, it, expect } from "vitest";
import { E_STOPPED, E_QOS0_OFFLINE } from "../../../firmware/mqtt";
import { ST_IDLE } from "../../../firmware/mqtt/client";
import { connack, suback } from "../../support/fake-transport";
import { setup, pub, b, Harness } from "./harness";

function tenMinutes(h: Harness): void {
  for (let i = 0; i < 600; i++) h.step(1000);
}

describe("stop()", () => {
  it("connected: DISCONNECT written, then the transport closed; onDisconnected(STOPPED); no reconnect", () => {
    const h = setup();
    h.up();
    const from = h.t.log.length;
    h.client.stop();
    expect(h.t.log.slice(from)).toEqual(["write DISCONNECT", "close", "onClose 0"]);
    expect(h.client.state).toBe(ST_IDLE);
    expect(h.client.isConnected()).toBe(false);
    expect(h.ev.disconnected).toEqual([E_STOPPED]);
    expect(h.ev.errors).toEqual([]); // asked for: not an error
    expect(h.client.stats.errors).toBe(0);
    tenMinutes(h);
    expect(h.t.openCalls).toBe(1);
    expect(h.t.take()).toEqual([{ type: "DISCONNECT" }]);
  });

  it("with a transport that closes later: DISCONNECT first, and still no reconnect", () => {
    const h = setup({}, "deferred");
    h.up();
    h.client.stop();
    expect(h.t.takeBrief()).toEqual(["DISCONNECT"]);
    expect(h.t.closeCalls).toBe(1);
    tenMinutes(h);
    h.t.finishClose();
    expect(h.ev.disconnected).toEqual([E_STOPPED]);
    tenMinutes(h);
    expect(h.t.openCalls).toBe(1);
  });

  it("while waiting to reconnect: no further attempts", () => {
    const h = setup();
    h.up();
    h.t.remoteClose();
    h.client.stop();
    tenMinutes(h);
    expect(h.t.openCalls).toBe(1);
    expect(h.t.take()).toEqual([]);
  });

  it("while opening or awaiting CONNACK: the link is closed without DISCONNECT, no reconnect", () => {
    for (const accept of [false, true]) {
      const h = setup();
      h.client.start();
      if (accept) {
        h.t.accept();
        h.t.take();
      }
      h.client.stop();
      expect(h.t.closeCalls).toBe(1);
      expect(h.t.take()).toEqual([]);
      tenMinutes(h);
      expect(h.t.openCalls).toBe(1);
      expect(h.client.state).toBe(ST_IDLE);
    }
  });

  it("publish after stop(): QoS 0 refused, QoS 1 kept for the next start()", () => {
    const h = setup();
    h.up();
    h.client.stop();
    h.t.take();
    expect(pub(h, "t", "zero", 0)).toBe(E_QOS0_OFFLINE);
    expect(pub(h, "t", "one", 1)).toBe(0);
    h.client.start();
    h.t.accept();
    h.t.take();
    h.t.deliver(connack());
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #1 t=one"]);
  });

  it("start() after stop() connects again and restores subscriptions", () => {
    const h = setup();
    h.up();
    h.client.subscribe(b("s"), 1);
    h.t.deliver(suback(1, [1]));
    h.client.stop();
    h.t.take();
    h.client.start();
    expect(h.t.openCalls).toBe(2);
    h.t.accept();
    h.t.take();
    h.t.deliver(connack(false, 0));
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #2 s:1"]);
    expect(h.ev.connected).toEqual([false, false]);
  });
});
