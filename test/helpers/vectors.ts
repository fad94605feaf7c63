// The MQTT test vectors (test/fixtures/mqtt-vectors.json, this repository's copy of the shared file, so a
// clone with nothing beside it passes its tests) and hex helpers.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";

export interface ValidVector { name: string; source: string; packet: Record<string, any>; hex: string }
export interface MalformedVector { name: string; hex: string; why: string }
export interface Vectors {
  remainingLength: { value: number; hex: string }[];
  valid: ValidVector[];
  malformed: MalformedVector[];
}

const here = dirname(fileURLToPath(import.meta.url));
/** Path of the vectors file: $MQTT_VECTORS, else the repository's copy. */
export const VECTORS_PATH = process.env.MQTT_VECTORS ?? resolve(here, "../fixtures/mqtt-vectors.json");

export function loadVectors(): Vectors {
  return JSON.parse(readFileSync(VECTORS_PATH, "utf8")) as Vectors;
}

/** fromHex("10 25 00") -> bytes; whitespace between bytes is ignored. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error("bad hex: " + hex);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** toHex(bytes) -> "10 25 00" (upper case, one space between bytes). */
export function toHex(bytes: Uint8Array): string {
  const parts: string[] = [];
  for (const b of bytes) parts.push(b.toString(16).toUpperCase().padStart(2, "0"));
  return parts.join(" ");
}

/** The bytes a vector's text field stands for ("A x 200" is the vectors' shorthand for 200 'A's). */
export function textBytes(s: string): Uint8Array {
  const m = /^(.) x (\d+)$/.exec(s);
  return new TextEncoder().encode(m ? m[1].repeat(Number(m[2])) : s);
}
