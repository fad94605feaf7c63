// The simulator's embedded broker: aedes in this process, on a loopback port (tests and benchmarks use
// it too). Closing it drops every client connection at once, as a broker that dies would.
import net from "node:net";
import { Aedes } from "aedes";

export interface RunningBroker {
  port: number;
  host: string;
  aedes: Aedes;
  /** Stops listening and closes every client connection. */
  close(): Promise<void>;
}

/**
 * startAedes(port = 0, options, host) -> a broker listening on host:port (port 0: a free one). Rejects
 * with the listen error (EADDRINUSE when the port is taken).
 */
export async function startAedes(port = 0, options: Record<string, unknown> = {}, host = "127.0.0.1"): Promise<RunningBroker> {
  const aedes = await Aedes.createBroker(options as any);
  const server = net.createServer(aedes.handle as any);
  const sockets = new Set<net.Socket>();
  server.on("connection", (s) => {
    // MQTT packets are small and answered one by one: Nagle plus delayed ACKs would hold each ~40 ms.
    s.setNoDelay(true);
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw err;
  }
  const actual = (server.address() as net.AddressInfo).port;
  return {
    port: actual,
    host,
    aedes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}
