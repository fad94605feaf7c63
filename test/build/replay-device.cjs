// Preloaded with NODE_OPTIONS=--require into `npm run flash` and the espruino CLI it starts: adds a
// serial "device" named espruino-linux to the CLI, so that `npm run flash -- --port espruino-linux`
// runs the real upload path (the CLI's code writer, its throttling and prompt handling) into the
// console of an Espruino Linux build instead of a board on a serial port.
//   ESPRUINO_REPLAY_BIN  the interpreter      ESPRUINO_REPLAY_CWD  its directory (its flash file)
//   ESPRUINO_REPLAY_LOG  everything the interpreter printed, appended
// With no file argument the Linux build reads its console from stdin and first boots what its flash
// holds, as a board does. It is killed when the CLI exits.
"use strict";
const Module = require("module");
const { spawn } = require("child_process");
const fs = require("fs");
const PORT = "espruino-linux";

function device() {
  let child;
  return {
    name: "Espruino Linux build (test)",
    getPorts(cb) {
      cb([{ path: PORT, description: "Espruino Linux build", type: "test" }], true);
    },
    open(path, openCb, receiveCb, disconnectCb) {
      child = spawn(process.env.ESPRUINO_REPLAY_BIN, [], { cwd: process.env.ESPRUINO_REPLAY_CWD, stdio: ["pipe", "pipe", "pipe"] });
      process.on("exit", () => child.kill("SIGKILL"));
      const onData = (d) => {
        if (process.env.ESPRUINO_REPLAY_LOG) fs.appendFileSync(process.env.ESPRUINO_REPLAY_LOG, d);
        receiveCb(new Uint8Array(d).buffer);
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("close", () => disconnectCb());
      setTimeout(() => openCb({ ok: true }), 300); // past the boot banner
    },
    write(data, cb) {
      child.stdin.write(Buffer.from(data, "latin1"), () => cb());
    },
    close() {
      child.kill("SIGKILL");
    },
  };
}

const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = load.apply(this, arguments);
  if (request === "../index.js" && parent && /espruino-cli\.js$/.test(parent.filename) && !exported.__replay) {
    const init = exported.init;
    exported.init = (cb) => init(() => {
      global.Espruino.Core.Serial.devices.push(device());
      cb();
    });
    exported.__replay = true;
  }
  return exported;
};
