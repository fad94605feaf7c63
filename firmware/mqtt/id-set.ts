// A fixed-size set of packet ids: the incoming QoS 2 messages delivered and awaiting PUBREL, so a resent
// PUBLISH is acknowledged without being delivered twice.
export class IdSet {
  private readonly ids: Uint16Array;
  count = 0;

  constructor(size: number) {
    this.ids = new Uint16Array(size);
  }

  has(id: number): boolean {
    for (let i = 0; i < this.count; i++) if (this.ids[i] === id) return true;
    return false;
  }

  /** add(id) -> false when full (id not added). */
  add(id: number): boolean {
    if (this.has(id)) return true;
    if (this.count === this.ids.length) return false;
    this.ids[this.count++] = id;
    return true;
  }

  remove(id: number): void {
    for (let i = 0; i < this.count; i++) {
      if (this.ids[i] === id) {
        this.ids[i] = this.ids[--this.count];
        return;
      }
    }
  }

  clear(): void {
    this.count = 0;
  }
}
