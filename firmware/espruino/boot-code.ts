// The end of the board's start-up. In the board's build (sim/build/boot-release.ts) the call to
// releaseBootCode() becomes the statements that free every function only the start-up could run:
// constructors, topic and discovery set-up, the start-up itself. Their text stays in flash; the JsVars
// they held return to the heap. An unsealed build keeps the call, which only says on `global` that the
// start-up ended: a body without an effect would let esbuild drop the call, and the marker with it.

/** releaseBootCode() -> nothing; the last statement of the start-up, which never runs again after it. */
export function releaseBootCode(): void {
  global.relaymqStarted = true;
}
