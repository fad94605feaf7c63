// The Pins seam on Espruino: pin names ("D26") resolve to the interpreter's pin globals through a
// switch, once per name, into a table; after that every call is one property lookup. Each global is
// named only inside its own case, so a build without some pins (the Linux build stops at D32) fails
// only for a name it really lacks, and with a clear message instead of a ReferenceError at load.
import type { Pins } from "../platform";

/** The pin global for `name`, or undefined; D0..D39 are the ESP32's GPIO names. */
function lookup(name: string): Pin | undefined {
  switch (name) {
    case "D0": return D0;
    case "D1": return D1;
    case "D2": return D2;
    case "D3": return D3;
    case "D4": return D4;
    case "D5": return D5;
    case "D6": return D6;
    case "D7": return D7;
    case "D8": return D8;
    case "D9": return D9;
    case "D10": return D10;
    case "D11": return D11;
    case "D12": return D12;
    case "D13": return D13;
    case "D14": return D14;
    case "D15": return D15;
    case "D16": return D16;
    case "D17": return D17;
    case "D18": return D18;
    case "D19": return D19;
    case "D20": return D20;
    case "D21": return D21;
    case "D22": return D22;
    case "D23": return D23;
    case "D24": return D24;
    case "D25": return D25;
    case "D26": return D26;
    case "D27": return D27;
    case "D28": return D28;
    case "D29": return D29;
    case "D30": return D30;
    case "D31": return D31;
    case "D32": return D32;
    case "D33": return D33;
    case "D34": return D34;
    case "D35": return D35;
    case "D36": return D36;
    case "D37": return D37;
    case "D38": return D38;
    case "D39": return D39;
  }
  return undefined;
}

export class EspruinoPins implements Pins {
  /** Resolved pins by name, filled on first use (start-up) and only read afterwards. */
  private readonly table: { [name: string]: Pin } = {};

  /** pin(name) -> the pin global; throws on a name this board does not have (a configuration error). */
  pin(name: string): Pin {
    let p: Pin | undefined = this.table[name];
    if (p !== undefined) return p;
    try {
      p = lookup(name);
    } catch (e) {
      p = undefined; // the global does not exist on this build
    }
    if (p === undefined) throw new Error("no pin " + name);
    this.table[name] = p;
    return p;
  }

  mode(pin: string, m: string): void {
    pinMode(this.pin(pin), m as PinMode);
  }

  write(pin: string, level: boolean): void {
    // The table first: a relay switches on every command, and a call less is cheaper on the board.
    const p = this.table[pin];
    digitalWrite(p !== undefined ? p : this.pin(pin), level);
  }

  read(pin: string): boolean {
    return digitalRead(this.pin(pin)) === 1;
  }

  analog(pin: string): number {
    return analogRead(this.pin(pin));
  }

  watch(pin: string, edge: string, debounceMs: number, fn: (level: boolean, timeMs: number) => void): number {
    // One wrapper per watch, made at start-up; Espruino reports the time in seconds, as getTime().
    return setWatch(
      function (e: WatchEvent) {
        fn(e.state, e.time * 1000);
      },
      this.pin(pin),
      { repeat: true, edge: edge as "rising" | "falling" | "both", debounce: debounceMs > 0 ? debounceMs : 0 },
    );
  }

  unwatch(id: number): void {
    try {
      clearWatch(id);
    } catch (e) {
      // "Unknown Watch": already gone; unwatching twice is harmless.
    }
  }
}
