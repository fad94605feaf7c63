// `npm run decode -- [--show-secrets] HEX...` (or the hex on stdin): decodes MQTT 3.1.1 bytes and prints
// one JSON object per packet, a CONNECT's password as its length unless asked. Exit 0 when every byte
// decoded, 1 at the first malformed or truncated packet (its line says which rule it breaks), 2 for input
// that is not hex (usage on stderr).
import { Decoder, MIN_RX_SIZE, Packet, PacketSink, E_RX_OVERFLOW } from "../../firmware/mqtt";
import { describeError, describePacket, maskSecrets, Description } from "../analyzer/describe";
import { isMain, runMain } from "./entry";

export const USAGE = [
  "usage: npm run decode -- [--show-secrets] HEX...",
  "       ... | npm run decode -- [--show-secrets]",
  "  Decodes MQTT 3.1.1 packets and prints one JSON object per packet. Without HEX arguments the bytes",
  "  are read from stdin. Bytes are hex digits; spaces, newlines, commas, colons and 0x prefixes between",
  "  bytes are allowed, e.g.",
  "    npm run decode -- 20 02 00 00",
  "    npm run decode -- 0x30,0x05,0x00,0x03,0x61,0x2f,0x62",
  "    npm run decode -- 3005:0003:612F62",
  "    mosquitto_sub ... | xxd -p | npm run decode",
  "  A CONNECT's password is shown as its length, e.g. \"(6 bytes)\"; --show-secrets prints it.",
  "  Exit status: 0 all packets valid, 1 malformed or truncated input (the last line says why), 2 bad usage.",
].join("\n");

/** Where main() writes: one call per line, without the newline. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/**
 * parseHex(args) -> the bytes the arguments spell, or null when they are not hex. Arguments are joined;
 * whitespace, commas and colons separate tokens; a token is "0x" + 1-2 digits or an even run of digits.
 */
export function parseHex(args: string[]): Uint8Array | null {
  const tokens = args.join(" ").split(/[\s,:]+/).filter((t) => t.length > 0);
  const bytes: number[] = [];
  for (let t of tokens) {
    let prefixed = false;
    if (/^0x/i.test(t)) {
      t = t.slice(2);
      prefixed = true;
    }
    if (t.length === 0 || !/^[0-9a-fA-F]+$/.test(t)) return null;
    if (prefixed && t.length === 1) t = "0" + t;
    if (t.length % 2 !== 0) return null;
    for (let i = 0; i < t.length; i += 2) bytes.push(parseInt(t.slice(i, i + 2), 16));
  }
  return Uint8Array.from(bytes);
}

// Why the input ends inside the packet at `start`: the fixed header's declared length against what is there.
function truncation(bytes: Uint8Array, start: number): Description {
  const present = bytes.length - start;
  let i = start + 1;
  let rl = 0;
  let mul = 1;
  for (;;) {
    if (i >= bytes.length) {
      return {
        offset: start, error: "TRUNCATED", present, missing: null,
        rule: "the input ends inside the fixed header (" + present + " byte" + (present === 1 ? "" : "s") +
          "): the remaining length field is incomplete",
      };
    }
    const b = bytes[i++];
    rl += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) break;
  }
  const expected = i - start + rl;
  const missing = expected - present;
  return {
    offset: start, error: "TRUNCATED", expected, present, missing,
    rule: "the input ends " + missing + " byte" + (missing === 1 ? "" : "s") + " before the end of the packet (" +
      expected + " bytes declared by its fixed header, " + present + " present)",
  };
}

/** wantsStdin(argv) -> whether the bytes come from stdin: no HEX arguments, only options. */
export function wantsStdin(argv: string[]): boolean {
  return argv.every((a) => a.startsWith("--") || a === "-h");
}

/**
 * main(argv, io, stdin) -> exit status; argv are the arguments after the script name, stdin the text
 * read from standard input when the arguments hold no bytes (null: none was read).
 */
export function main(argv: string[], io: Output, stdin: string | null = null): number {
  if (argv.includes("-h") || argv.includes("--help")) {
    io.out(USAGE);
    return 0;
  }
  const unknown = argv.find((a) => a.startsWith("--") && a !== "--show-secrets");
  if (unknown !== undefined) {
    io.err("decode: unknown option: " + unknown);
    io.err(USAGE);
    return 2;
  }
  const showSecrets = argv.includes("--show-secrets");
  const hexArgs = argv.filter((a) => a !== "--show-secrets");
  const input = hexArgs.length === 0 && stdin !== null ? [stdin] : hexArgs;
  const bytes = parseHex(input);
  if (bytes === null || bytes.length === 0) {
    io.err(bytes === null ? "decode: not hex: " + input.join(" ").trim().slice(0, 200) : "decode: no bytes given");
    io.err(USAGE);
    return 2;
  }

  let start = 0; // where the packet being decoded starts in the input
  let failed: Description | null = null;
  const sink: PacketSink = {
    onPacket(p: Packet): void {
      const d = describePacket(p, start);
      io.out(JSON.stringify(showSecrets ? d : maskSecrets(d, p)));
      start += p.length;
    },
    onDecodeError(code: number): void {
      // The receive buffer holds the whole input, so a packet too large for it can only be cut short.
      failed = code === E_RX_OVERFLOW ? truncation(bytes, start) : describeError(code, start);
      decoder.reset(); // stop at the first error
    },
  };
  const decoder = new Decoder(Math.max(bytes.length, MIN_RX_SIZE), sink);
  decoder.feed(bytes, 0, bytes.length);
  if (failed === null && decoder.pending() > 0) failed = truncation(bytes, start);
  if (failed !== null) {
    io.out(JSON.stringify(failed));
    return 1;
  }
  return 0;
}

async function readStdin(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  runMain("decode", async () => {
    // A terminal on stdin means nobody is piping bytes in: the usage says how to give them.
    const stdin = wantsStdin(argv) && !process.stdin.isTTY ? await readStdin() : null;
    return main(argv, {
      out: (line) => process.stdout.write(line + "\n"),
      err: (line) => process.stderr.write(line + "\n"),
    }, stdin);
  });
}
