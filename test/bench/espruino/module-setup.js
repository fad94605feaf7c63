// Espruino's MQTT module (read from ESPRUINO_MQTT_MODULE, never copied here) over the same fake socket,
// with the same operations as engine-entry.ts.
var got = 0;
var M = require("MQTT").create("127.0.0.1", { client_id: "bench", keep_alive: 60 });
M.on("message", function (t, m) { got++; });
M.connect(FS);
var TOPIC = __TOPIC__, PAYLOAD = __PAYLOAD__;
global.B = {
  pub: function () { M.publish(TOPIC, PAYLOAD, 0); },
  got: function () { return got; },
  sub: function () { M.subscribe(__FILTER__, 1); },
};
