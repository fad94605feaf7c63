// A relay's state payloads, in a module of constants alone: esbuild folds each into the code that uses
// it (a name left in the bundle's scope costs the interpreter a search at each lookup that passes it).

export const STATE_ON = "ON";
export const STATE_OFF = "OFF";
/** Their lengths as numbers: on the interpreter a typed array's `length` is a native getter, dear on a hot path. */
export const ON_BYTES = 2;
export const OFF_BYTES = 3;
