// Runs inside the interpreter after an implementation's setup (the engine's or Espruino's MQTT module's)
// defined B = { pub, got, sub? } over the fake socket FS. Opens the link, then measures regions of N
// operations each between two E.getAddressOf(0) marks (callgrind dumps a part at each): an empty call,
// a QoS 0 publish out, a QoS 0 PUBLISH in to the callback, a QoS 1 PUBLISH in with its PUBACK. Each
// region ends in a timer, so events an implementation defers (Espruino's emit) land inside it.
var N = __N__, T = __TOPIC__, P = __PAYLOAD__, C = String.fromCharCode;
var RX0 = "\x30" + C(2 + T.length + P.length) + "\x00" + C(T.length) + T + P;
var RX1 = "\x32" + C(4 + T.length + P.length) + "\x00" + C(T.length) + T + "\x00\x07" + P;
var R = [function () {}, B.pub, function () { FS.h.data(RX0); }, function () { FS.h.data(RX1); }];
var k = 0;
function next() {
  if (k > 0) E.getAddressOf(0);
  if (k === R.length) {
    console.log("BENCH done got=" + B.got() + " writes=" + FS.n + " usage=" + process.memory().usage);
    return;
  }
  var f = R[k++];
  E.getAddressOf(0);
  for (var i = 0; i < N; i++) f();
  setTimeout(next, 0);
}
if (FS.cb) FS.cb();
FS.h.data("\x20\x02\x00\x00");
if (B.sub) B.sub();
FS.h.data("\x90\x03" + FS.last.substr(2, 2) + "\x01");
setTimeout(function () {
  console.log("BENCH rest usage=" + process.memory().usage + " writes=" + FS.n);
  FS.n = 0;
  setTimeout(next, 0);
}, 10);
