// Runs INSIDE the Espruino interpreter, and in the simulator's shim (bundled by net-transport.test.ts):
// the board's Transport (firmware/espruino/net-transport.ts) against a server that never closes its side
// of the connection. Each line it prints is one observation; both runtimes must print the same ones.
import { EspruinoNetTransport } from "../../firmware/espruino/net-transport";

declare const __PORT__: number;

const t0 = getTime();
function ms(): number {
  return Math.round((getTime() - t0) * 1000);
}
function say(what: string): void {
  console.log("TRANSPORT " + what);
}

const t = new EspruinoNetTransport("127.0.0.1", __PORT__, false);
const bytes = new Uint8Array([0xc0, 0x00]);
let asked = -1;
let done = false;
function finish(): void {
  if (done) return;
  done = true;
  say("write after onClose " + t.write(bytes, 0, 2));
  say("writeAck after onClose " + t.writeAck(0x40, 0x12ff));
  say("DONE");
}
t.open({
  onOpen: function (): void {
    say("open");
    say("write " + t.write(bytes, 0, 2));
    say("writeAck " + t.writeAck(0x40, 0x12ff));
    asked = ms();
    t.close();
    say("write after close " + t.write(bytes, 0, 2));
    say("writeAck after close " + t.writeAck(0x40, 0x12ff));
  },
  onData: function (): void {
    say("data");
  },
  onClose: function (reason: number): void {
    say("onClose " + reason + (ms() - asked < 1000 ? " within 1 s of close()" : " late"));
    finish();
  },
});
setTimeout(function (): void {
  if (!done) say("no onClose in 3 s");
  finish();
}, 3000);
