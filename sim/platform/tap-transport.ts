// A Transport that passes everything through to another one and shows the bytes both ways to a tap:
// the simulator's packet trace in source mode, and where it learns the socket's life.
import { writeAckBytes, type Transport, type TransportEvents } from "../../firmware/platform";

export interface TransportTap {
  /** Bytes written by the board ("out") or received ("in"), valid only during the call. */
  bytes(dir: "out" | "in", buf: Uint8Array, off: number, len: number): void;
  opened(): void;
  closed(reason: number): void;
}

export class TapTransport implements Transport {
  constructor(private readonly inner: Transport, private readonly tap: TransportTap) {}

  open(events: TransportEvents): void {
    const tap = this.tap;
    this.inner.open({
      onOpen(): void {
        tap.opened();
        events.onOpen();
      },
      onData(buf: Uint8Array, off: number, len: number): void {
        tap.bytes("in", buf, off, len);
        events.onData(buf, off, len);
      },
      onClose(reason: number): void {
        tap.closed(reason);
        events.onClose(reason);
      },
    });
  }

  write(buf: Uint8Array, off: number, len: number): boolean {
    const ok = this.inner.write(buf, off, len);
    if (ok) this.tap.bytes("out", buf, off, len);
    return ok;
  }

  // Through write(), so the tap sees the acknowledgement's bytes.
  writeAck(first: number, id: number): boolean {
    return writeAckBytes(this, first, id);
  }

  close(): void {
    this.inner.close();
  }
}
