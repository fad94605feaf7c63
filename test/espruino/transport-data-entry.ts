// Runs INSIDE the Espruino interpreter, and in the simulator's shim (bundled by net-transport.test.ts):
// the board's Transport receiving __BYTES__ bytes whose n-th is n % 256 (every value, 0 and 128-255
// included), over as many socket chunks as the runtime makes. Prints what arrived, then DONE.
import { EspruinoNetTransport } from "../../firmware/espruino/net-transport";

declare const __PORT__: number;
declare const __BYTES__: number;

let got = 0;
let wrong = -1;
let calls = 0;
let done = false;
function finish(): void {
  if (done) return;
  done = true;
  console.log("TRANSPORT received " + got + " in " + (calls > 1 ? "several calls" : calls + " call") + (wrong < 0 ? ", every byte right" : ", byte " + wrong + " wrong"));
  console.log("TRANSPORT DONE");
  t.close();
}
const t = new EspruinoNetTransport("127.0.0.1", __PORT__, false);
t.open({
  onOpen: function (): void {},
  onData: function (buf: Uint8Array, off: number, len: number): void {
    calls++;
    for (let i = 0; i < len; i++) {
      if (buf[off + i] !== (got & 255) && wrong < 0) wrong = got;
      got++;
    }
    if (got >= __BYTES__) finish();
  },
  onClose: function (): void {
    finish();
  },
});
setTimeout(finish, 5000);
