// The set of incoming QoS 2 packet ids delivered and awaiting PUBREL, so a resent PUBLISH is
// acknowledged without being delivered twice. One bit per possible id (8 KB, fixed): a broker may have
// as many QoS 2 messages in flight as it likes (mosquitto sends 20 at once by default, aedes has no
// limit, a session backlog arrives all together), and this set can never overflow, so exactly-once
// never has to cost a reconnect.
export class IdSet {
  private readonly bits = new Uint8Array(8192);
  /** Ids in the set. */
  count = 0;

  has(id: number): boolean {
    return (this.bits[id >> 3] & (1 << (id & 7))) !== 0;
  }

  add(id: number): void {
    if (this.has(id)) return;
    this.bits[id >> 3] |= 1 << (id & 7);
    this.count++;
  }

  remove(id: number): void {
    if (!this.has(id)) return;
    this.bits[id >> 3] &= ~(1 << (id & 7));
    this.count--;
  }

  /** next(after) -> the smallest id in the set above `after`, or 0 when there is none. */
  next(after: number): number {
    for (let id = after + 1; id <= 0xffff; id++) if (this.has(id)) return id;
    return 0;
  }

  clear(): void {
    if (this.count === 0) return;
    this.bits.fill(0);
    this.count = 0;
  }
}
