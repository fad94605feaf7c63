// Modelled hardware for the Espruino Linux build, loaded before the firmware (test/espruino/
// board-features.test.ts). The Linux build has OneWire in its API but no bus, reads every pin as 0 and
// fires no watch, so the parts the features talk to are modelled here, in the interpreter itself, behind
// the same API the firmware calls on a board:
// - OneWire: DS18B20s on D14 (two, by ROM, scratchpads with their CRC, Convert T latches the temperature);
//   nothing on D13 (no presence pulse, every byte 0xFF).
// - A DHT22 on D16: when the firmware releases the line it held low (pinMode input_pullup), its 42 falling
//   edges reach the firmware's watch with the times a pin interrupt would stamp (time - lastTime = the high
//   pulse), 48.9 % and 22.3 degrees.
// - A push button on D0 (HW.press()/HW.release() call its watch; digitalRead says released), the status
//   LED on D2 (every write kept with its time), the Wifi module (joins at once, answers getStatus/getIP),
//   the TelnetServer library (the mode the firmware sets is kept).
var HW = { led: [], telnet: "", watches: {}, nextWatch: 1000 };
function hwCrc(b, n) {
  var crc = 0;
  for (var i = 0; i < n; i++) {
    var x = b[i];
    for (var k = 0; k < 8; k++) { var mix = (crc ^ x) & 1; crc >>= 1; if (mix) crc ^= 0x8c; x >>= 1; }
  }
  return crc;
}
function hwPad(c) {
  var raw = Math.round(c * 16) & 0xffff;
  var b = [raw & 0xff, raw >> 8, 0x4b, 0x46, 0x7f, 0xff, 0x0c, 0x10, 0];
  b[8] = hwCrc(b, 8);
  return b;
}
var DS = { D14: [{ rom: "28ff4c1a0b160445", t: 61.25, pad: hwPad(85) }, { rom: "28aa01b2c3d4e5d4", t: -4.5, pad: hwPad(85) }] };
global.OneWire = function (pin) { this.d = DS[String(pin)] || []; this.sel = []; this.out = []; };
OneWire.prototype.reset = function () { this.sel = []; this.out = []; return this.d.length > 0; };
OneWire.prototype.select = function (rom) {
  this.reset();
  for (var i = 0; i < this.d.length; i++) if (this.d[i].rom === rom) this.sel.push(this.d[i]);
};
OneWire.prototype.skip = function () { this.sel = this.d; };
OneWire.prototype.write = function (b) {
  var i, j;
  if (b === 0x44) for (i = 0; i < this.sel.length; i++) this.sel[i].pad = hwPad(this.sel[i].t);
  if (b === 0xbe) {
    this.out = [];
    for (j = 0; j < 9; j++) {
      var v = 0xff;
      for (i = 0; i < this.sel.length; i++) v &= this.sel[i].pad[j];
      this.out.push(v);
    }
  }
};
OneWire.prototype.read = function () { return this.out.length > 0 ? this.out.shift() : 0xff; };
OneWire.prototype.search = function () { var r = []; for (var i = 0; i < this.d.length; i++) r.push(this.d[i].rom); return r; };

var hwSetWatch = setWatch, hwClearWatch = clearWatch, hwPinMode = pinMode, hwDigitalWrite = digitalWrite, hwDigitalRead = digitalRead;
global.setWatch = function (fn, pin, opts) {
  var p = String(pin);
  if (p !== "D0" && p !== "D16") return hwSetWatch(fn, pin, opts);
  var id = HW.nextWatch++;
  HW.watches[p] = { id: id, fn: fn };
  return id;
};
global.clearWatch = function (id) {
  for (var p in HW.watches) if (HW.watches[p].id === id) { delete HW.watches[p]; return; }
  hwClearWatch(id);
};
global.digitalRead = function (pin) { return String(pin) === "D0" ? 1 : hwDigitalRead(pin); };
global.digitalWrite = function (pin, v) {
  if (String(pin) === "D2") HW.led.push([getTime(), v ? 1 : 0]);
  hwDigitalWrite(pin, v);
};
function hwDhtBits() {
  var d = [0x01, 0xe9, 0x00, 0xdf]; // 48.9 %, 22.3 degrees
  d.push((d[0] + d[1] + d[2] + d[3]) & 0xff);
  var highs = [30, 80];
  for (var i = 0; i < 5; i++) for (var k = 7; k >= 0; k--) highs.push((d[i] >> k) & 1 ? 70 : 26);
  return highs;
}
global.pinMode = function (pin, mode) {
  hwPinMode(pin, mode);
  var w = HW.watches.D16;
  if (String(pin) !== "D16" || mode !== "input_pullup" || !w) return;
  var highs = hwDhtBits(), t = getTime();
  // The edges go to the watch at once, stamped with the times they would have: on a board the pin's
  // interrupts queue them while the read window runs. A setTimeout here could run after the window's own
  // timer when the host is busy (both overdue at once), and the read would fail for the model's sake.
  for (var i = 0; i < highs.length; i++) {
    var fell = t + highs[i] / 1e6;
    w.fn({ state: false, time: fell, lastTime: t, pin: pin });
    t = fell + 50 / 1e6;
  }
};
HW.press = function () { HW.watches.D0.fn({ state: false, time: getTime(), lastTime: getTime() }); };
HW.release = function () { HW.watches.D0.fn({ state: true, time: getTime(), lastTime: getTime() }); };
HW.ledChanges = function (sinceSec) {
  var n = 0, now = getTime();
  for (var i = 1; i < HW.led.length; i++) if (now - HW.led[i][0] <= sinceSec && HW.led[i][1] !== HW.led[i - 1][1]) n++;
  return n;
};
Modules.addCached("Wifi", "exports.connect=function(s,o,cb){setTimeout(function(){cb(null);},50);};" +
  "exports.on=function(){};exports.disconnect=function(){};" +
  "exports.getStatus=function(){return {station:'connected',rssi:-58};};exports.getIP=function(){return {ip:'10.0.0.7'};};");
var hwRequire = require;
global.require = function (name) {
  var m = hwRequire(name);
  if (name !== "TelnetServer") return m;
  return { setOptions: function (o) { HW.telnet = o.mode; m.setOptions(o); } };
};
