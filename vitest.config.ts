import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // Suites start brokers and child processes (GC checks); slow CI machines need the margin.
    testTimeout: 20000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
    // Child processes rather than threads: suites that count GC events or bind ports stay isolated.
    pool: "forks",
  },
});
