// Runs inside the interpreter after the built firmware booted from .bootcde over the fake socket FS
// (WiFi stubbed). Brings the session up and acknowledges the boot burst (online, relay states,
// discovery, Home Assistant hand-over), reads the JsVars in use, then sends QoS 1 commands that switch relay __RELAY__ on and off:
// each is fed to the socket between two E.getAddressOf(0) marks (the firmware writes the pin, publishes
// the state at QoS 1 and answers PUBACK), then the broker's PUBACK of that state, between two more. With
// __GROWTH__ set it runs __N__ commands without marks and reports the JsVars in use before and after.
// In a function of its own: the firmware's names are globals (sim/build/top-level.ts), and a global
// made after them would be found only after a search past all of them, which the marks would count.
(function () {
var N = __N__, GROWTH = __GROWTH__, T = __TOPIC__, C = String.fromCharCode;
function cmd(word) { return "\x32" + C(4 + T.length + word.length) + "\x00" + C(T.length) + T + "\x00\x05" + word; }
var CMDS = [cmd("ON"), cmd("OFF")];
// The packet id of the QoS 1 PUBLISH in string s, or -1 (a short remaining length: every packet here).
function pubId(s) {
  if ((s.charCodeAt(0) & 0xf6) !== 0x32) return -1;
  var i = 2 + ((s.charCodeAt(1) & 0x80) ? 1 : 0);
  return i + 2 + (s.charCodeAt(i) << 8 | s.charCodeAt(i + 1));
}
function puback(s) { var i = pubId(s); return i < 0 ? "" : "\x40\x02" + s.substr(i, 2); }
var seen = [];
FS.write = function (d) { this.n++; this.prev = this.last; this.last = d; if (seen) seen.push(d); };
// SUBACK for the SUBSCRIBE in string s: one granted QoS per filter, as asked (short remaining length).
function suback(s) {
  var codes = "", i = 4;
  while (i < s.length) {
    var n = s.charCodeAt(i) << 8 | s.charCodeAt(i + 1);
    codes += s.charAt(i + 2 + n);
    i += 3 + n;
  }
  return "\x90" + C(2 + codes.length) + s.substr(2, 2) + codes;
}
function ackAll() {
  while (seen.length > 0) {
    var s = seen.shift();
    if (s.charCodeAt(0) === 0x82) FS.h.data(suback(s));
    var a = puback(s);
    if (a) FS.h.data(a);
  }
}
function measure() {
  // The growth run's variables are made before its readings (the interpreter makes a local when its
  // statement runs), and each reading is taken before any text is built: neither is the firmware's.
  var u0 = process.memory().usage, j = 0, before = 0, after = 0;
  console.log("BENCH rest usage=" + u0 + " writes=" + FS.n);
  FS.n = 0;
  if (GROWTH) {
    before = process.memory().usage;
    for (j = 0; j < N; j++) { FS.h.data(CMDS[j & 1]); FS.h.data(puback(FS.prev)); }
    after = process.memory().usage;
    console.log("BENCH growth before=" + before + " after=" + after + " writes=" + FS.n);
    return;
  }
  var e = function () {}, pa = "";
  for (var i = 0; i < N; i++) { E.getAddressOf(0); e(); E.getAddressOf(0); e(); E.getAddressOf(0); e(); }
  for (i = 0; i < N; i++) {
    E.getAddressOf(0);
    FS.h.data(CMDS[i & 1]);
    E.getAddressOf(0);
    pa = puback(FS.prev);
    E.getAddressOf(0);
    FS.h.data(pa);
  }
  E.getAddressOf(0);
  console.log("BENCH done writes=" + FS.n + " last=" + E.toJS(FS.prev.substr(FS.prev.length - 3)));

}
setTimeout(function () {
  FS.cb();
  FS.h.data("\x20\x02\x00\x00");
  for (var r = 0; r < 50 && seen.length > 0; r++) ackAll();
  seen = null;
  // The most the boot needs: its burst made the cold bank (sim/build/cold-code.ts).
  console.log("BENCH peak usage=" + process.memory().usage);
  // Let the boot's timers (first samples, fail-safe clock) run, and the cold bank go (a second after its
  // last use), before reading the memory at rest.
  setTimeout(measure, 2500);
}, 300);
})();
