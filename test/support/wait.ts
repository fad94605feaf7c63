// Polling waits for interop tests, which watch real sockets and real time.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * until(pred, timeoutMs, what) -> resolves as soon as pred() holds (checked every 5 ms); rejects
 * with `what` (a string or a function giving the state, for the failure message) after timeoutMs.
 */
export async function until(pred: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > end) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await sleep(5);
  }
}
