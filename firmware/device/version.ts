// The firmware's version, as the console's status command reports it; the same as package.json's (a
// test keeps them equal).
export const FIRMWARE_VERSION = "0.1.0";
