// An in-process aedes broker on a free loopback port, for tests and benchmarks.
import net from "node:net";
import { Aedes } from "aedes";

export interface RunningBroker {
  port: number;
  aedes: Aedes;
  /** Stops listening and closes every client connection. */
  close(): Promise<void>;
}

/** startAedes(port = 0, options) -> a broker listening on 127.0.0.1 (port 0: a free one). */
export async function startAedes(port = 0, options: Record<string, unknown> = {}): Promise<RunningBroker> {
  const aedes = await Aedes.createBroker(options as any);
  const server = net.createServer(aedes.handle as any);
  const sockets = new Set<net.Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    port: actual,
    aedes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => aedes.close(() => resolve()));
      }),
  };
}
