// The ESP32's GPIO pins as board.json names them (Espruino's D0..D39 are GPIO 0..39): which exist, which
// are taken by the SPI flash, which can only read, which ADC unit they sit on, and which ones disturb the
// boot. Sources: the ESP32 datasheet (section "Strapping Pins", "Peripheral Pin Configurations") and
// docs/espruino.md ("Pins and timers").

export type Adc = "ADC1" | "ADC2" | null;

export interface Esp32Pin {
  gpio: number;
  /** Connected to the module's SPI flash: using it crashes the chip. */
  flash: boolean;
  /** No output driver and no internal pull-up/pull-down resistor (GPIO 34-39). */
  inputOnly: boolean;
  /** ADC2 cannot be read while WiFi runs (the radio owns it); ADC1 always can. */
  adc: Adc;
  adcChannel: number | null;
  /** Sampled at reset to choose the boot mode: a level forced from outside can keep the chip from booting. */
  strapping: string | null;
  /** Drives a signal (PWM, console output or HIGH) during boot: a relay on it may click at reset. */
  bootSignal: boolean;
  /** UART0, the Espruino console and the flashing port. */
  console: boolean;
  /** GPIO 37 and 38 exist on the chip but are not brought out on most modules (WROOM, WROVER). */
  rarelyExposed: boolean;
}

const STRAPPING: Record<number, string> = {
  0: "D0 is a strapping pin: LOW at reset starts the flashing bootloader instead of the firmware",
  2: "D2 is a strapping pin: it must be LOW or floating at reset to flash (it is the on-board LED on many boards)",
  5: "D5 is a strapping pin: held LOW at reset it changes the flash timing",
  12: "D12 is a strapping pin: HIGH at reset selects 1.8 V flash and the board does not boot",
  15: "D15 is a strapping pin: LOW at reset silences the boot log and changes the flash timing",
};

const ADC1: Record<number, number> = { 36: 0, 37: 1, 38: 2, 39: 3, 32: 4, 33: 5, 34: 6, 35: 7 };
const ADC2: Record<number, number> = { 4: 0, 0: 1, 2: 2, 15: 3, 13: 4, 12: 5, 14: 6, 27: 7, 25: 8, 26: 9 };
const BOOT_SIGNAL = [0, 1, 3, 5, 14, 15];

/** GPIO numbers that exist on the ESP32 (20, 24 and 28-31 do not). */
export const ESP32_GPIOS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 25, 26, 27,
  32, 33, 34, 35, 36, 37, 38, 39,
];

/** The table, one row per existing GPIO, keyed by GPIO number. */
export const ESP32_PINS: ReadonlyMap<number, Esp32Pin> = new Map(
  ESP32_GPIOS.map((gpio): [number, Esp32Pin] => [gpio, {
    gpio,
    flash: gpio >= 6 && gpio <= 11,
    inputOnly: gpio >= 34 && gpio <= 39,
    adc: gpio in ADC1 ? "ADC1" : gpio in ADC2 ? "ADC2" : null,
    adcChannel: gpio in ADC1 ? ADC1[gpio] : gpio in ADC2 ? ADC2[gpio] : null,
    strapping: STRAPPING[gpio] ?? null,
    bootSignal: BOOT_SIGNAL.includes(gpio),
    console: gpio === 1 || gpio === 3,
    rarelyExposed: gpio === 37 || gpio === 38,
  }]),
);

/** The exact spelling board.json uses for a pin: "D" and the GPIO number, no leading zero. */
export const PIN_NAME = /^D(0|[1-9][0-9]?)$/;

/** "D26" -> 26; anything else -> null. */
export function gpioOf(pin: string): number | null {
  return PIN_NAME.test(pin) ? Number(pin.slice(1)) : null;
}

/** The row for a pin name, or null if the name is not an ESP32 GPIO. */
export function esp32Pin(pin: string): Esp32Pin | null {
  const gpio = gpioOf(pin);
  return gpio === null ? null : ESP32_PINS.get(gpio) ?? null;
}

/** "0-19, 21-23, 25-27, 32-39": the valid GPIO numbers as ranges, for messages. */
export function gpioRanges(): string {
  const out: string[] = [];
  let start = ESP32_GPIOS[0];
  for (let i = 1; i <= ESP32_GPIOS.length; i++) {
    const prev = ESP32_GPIOS[i - 1];
    if (i === ESP32_GPIOS.length || ESP32_GPIOS[i] !== prev + 1) {
      out.push(start === prev ? String(start) : `${start}-${prev}`);
      start = ESP32_GPIOS[i];
    }
  }
  return out.join(", ");
}
