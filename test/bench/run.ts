// Benchmark runner: `npm run bench [-- NAME...]`. No name runs every benchmark; each prints its details
// and ends with one summary line. An unknown name is an error that lists the known ones (exit 2).

/** A benchmark: runs, prints its details, and returns its one-line summary. */
export type Benchmark = () => Promise<string>;

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  codec: async () => (await import("./codec")).run,
  latency: async () => (await import("./latency")).run,
  fleet: async () => (await import("./fleet")).run,
  espruino: async () => (await import("./espruino")).run,
  features: async () => (await import("./features")).run,
};

const USAGE = `usage: npm run bench [-- NAME...]
  Runs the benchmarks named (default: all), each printing its details and ending with one summary line.
  Benchmarks: ${Object.keys(BENCHMARKS).join(", ")}.
  Exit status: 0 done, 1 a benchmark failed, 2 an unknown name.`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const names = argv.length > 0 ? argv : Object.keys(BENCHMARKS);
  const unknown = names.filter((n) => !Object.prototype.hasOwnProperty.call(BENCHMARKS, n));
  if (unknown.length > 0) {
    process.stderr.write(
      "unknown benchmark: " + unknown.join(", ") + "\nknown benchmarks: " + Object.keys(BENCHMARKS).join(", ") + "\n",
    );
    return 2;
  }
  for (const name of names) {
    const bench = await BENCHMARKS[name]();
    const summary = await bench();
    process.stdout.write(summary + "\n");
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write("bench failed: " + (err && err.stack ? err.stack : String(err)) + "\n");
    process.exitCode = 1;
  },
);
