// Bundle mode: the built dist/firmware.js, the exact file that gets flashed, run inside the Espruino
// API shim. Its connections go to the simulator's broker whatever host board.json names.
import { EspruinoShim } from "../shim/espruino-shim";
import type { Firmware, FirmwareHost } from "./firmware";

// The firmware logs "relaymq LEVEL MESSAGE [NAME (CODE)] [host:port: cause]" (firmware/espruino/log.ts).
const FIRMWARE_LOG = /^relaymq ((error|warn|info|debug) .*)$/;

export class BundleFirmware implements Firmware {
  private shim: EspruinoShim | null = null;

  /** new BundleFirmware(host, source, file): source is the bundle's text, file its name in stack traces. */
  constructor(private readonly host: FirmwareHost, private readonly source: string, private readonly file: string) {}

  boot(): void {
    const h = this.host;
    // One socket at a time on the board: whether it opened, and its error, decide how its close reads.
    let opened = false;
    let error = "";
    const shim = new EspruinoShim({
      bank: h.bank,
      busSensors: h.busSensors,
      time: h.time,
      random: h.random,
      storage: h.files,
      route: () => ({ host: h.broker.host, port: h.broker.port, tls: h.broker.tls ?? null }),
      console: (line) => {
        const m = FIRMWARE_LOG.exec(line);
        if (!m) h.log(line, line.startsWith("Uncaught"));
        else h.log(m[1], m[2] === "error");
      },
      tap: h.bytes ? (dir, bytes) => h.bytes!(dir, bytes, 0, bytes.length) : undefined,
      onReboot: () => h.reboot(),
      onSocket: (event, to, detail) => {
        if (event === "connect") {
          opened = true;
          h.opened(to);
        } else if (event === "error") error = detail ?? "error";
        else if (event === "close") {
          h.closed(error || "closed", !opened);
          opened = false;
          error = "";
        } else if (event === "refused-throw") h.closed(detail ?? `${to}: connect() threw`, true);
      },
    });
    this.shim = shim;
    shim.run(this.source, this.file);
  }

  wifi(up: boolean): void {
    if (!this.shim) return;
    if (up) this.shim.wifiUp();
    else this.shim.wifiDown();
  }

  shutdown(): void {
    // The firmware's clean stop (firmware/espruino/main.ts); a bundle without it can only be cut off.
    if (this.shim && !this.shim.call("relaymqStop")) {
      this.host.log("the bundle has no relaymqStop(): rebuild it; stopping without DISCONNECT (the broker sends the will)", true);
      this.shim.halt();
    }
  }

  halt(): void {
    if (this.shim) this.shim.halt();
    this.shim = null;
  }

  socketOpen(): boolean {
    return this.shim !== null && this.shim.openSockets > 0;
  }

  settlingSince(): number | null {
    return this.shim ? this.shim.settlingSince() : null;
  }

  memoryVars(): number | null {
    return this.shim ? this.shim.memoryUsage() : null;
  }
}
