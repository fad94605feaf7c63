// The Node transport over TLS: the same client, through tls.connect, to an aedes broker behind a TLS
// server with the self-signed test certificate (test/fixtures/tls).
import { describe, it, expect, afterEach } from "vitest";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Aedes } from "aedes";
import { MqttClient } from "../../firmware/mqtt/client";
import { utf8Bytes, utf8Read } from "../../firmware/mqtt/utf8";
import { E_CONNECT_FAILED } from "../../firmware/mqtt/errors";
import { SUB_ACTIVE } from "../../firmware/mqtt/subscriptions";
import { TcpTransport } from "../../sim/platform/tcp-transport";
import { nodeClock } from "../../sim/platform/clock";

const fixture = (name: string) => readFileSync(fileURLToPath(new URL("../fixtures/tls/" + name, import.meta.url)));
const cert = fixture("broker.crt");
const key = fixture("broker.key");

async function tlsBroker() {
  const aedes = await Aedes.createBroker();
  const server = tls.createServer({ cert, key }, aedes.handle as any);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () => new Promise<void>((r) => server.close(() => aedes.close(() => r()))),
  };
}

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (cond()) { clearInterval(t); resolve(); }
      else if (Date.now() > end) { clearInterval(t); reject(new Error("timed out")); }
    }, 10);
  });
}

describe("TLS transport", () => {
  it("connects, subscribes and round-trips a QoS 1 message over TLS with a trusted CA", async () => {
    const broker = await tlsBroker();
    cleanup.push(broker.close);
    const got: string[] = [];
    const client = new MqttClient({ clientId: "tls-1", keepAliveSec: 5 },
      new TcpTransport({ host: "127.0.0.1", port: broker.port, tls: { ca: cert, servername: "localhost" } }), nodeClock, {
        onMessage: (_s, p) => got.push(utf8Read(p.buf, p.topicOff, p.topicLen) + "=" + utf8Read(p.buf, p.payloadOff, p.payloadLen)),
      });
    const tick = setInterval(() => client.tick(), 20);
    cleanup.push(() => { client.stop(); clearInterval(tick); });
    client.subscribe(utf8Bytes("tls/#"), 1);
    client.start();
    await until(() => client.isConnected() && client.subs.state[0] === SUB_ACTIVE);
    const payload = utf8Bytes("secret");
    expect(client.publish(utf8Bytes("tls/a"), payload, 0, payload.length, 1, false)).toBeGreaterThan(0);
    await until(() => got.length === 1);
    expect(got).toEqual(["tls/a=secret"]);
  });

  it("refuses a broker whose certificate it does not trust, and reports a failed connect", async () => {
    const broker = await tlsBroker();
    cleanup.push(broker.close);
    const errors: number[] = [];
    const client = new MqttClient({ clientId: "tls-2", reconnectMinMs: 10000 },
      new TcpTransport({ host: "127.0.0.1", port: broker.port, tls: { servername: "localhost" } }), nodeClock, {
        onError: (e) => errors.push(e),
      });
    cleanup.push(() => client.stop());
    client.start();
    await until(() => errors.length > 0);
    expect(errors[0]).toBe(E_CONNECT_FAILED);
    expect(client.isConnected()).toBe(false);
  });
});
