// The seams between the portable code (firmware/mqtt, firmware/device) and a runtime: Transport,
// Pins, Clock, Log. Espruino binds them in firmware/espruino, Node in sim/. Placeholder until the
// issue that defines them.
export {};
