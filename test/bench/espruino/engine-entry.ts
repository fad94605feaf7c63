// The MQTT engine as the board runs it, for the interpreter benchmark (test/bench/espruino.ts): the
// client over the Espruino `net` transport, whose socket is the fake one of test/support/espruino-boot.ts.
// It defines global.B, the three operations the benchmark driver measures, as the module setup does.
import { MqttClient } from "../../../firmware/mqtt/client";
import { Packet } from "../../../firmware/mqtt/packet";
import { EspruinoNetTransport } from "../../../firmware/espruino/net-transport";
import { espruinoClock } from "../../../firmware/espruino/clock";
import { setNatives } from "../../../firmware/mqtt/bytes";
import { espruinoNatives } from "../../../firmware/espruino/natives";
import { utf8Bytes } from "../../../firmware/mqtt/utf8";

declare const __TOPIC__: string;
declare const __PAYLOAD__: string;
declare const __FILTER__: string;

setNatives(espruinoNatives);
let got = 0;
const client = new MqttClient(
  { clientId: "bench", keepAliveSec: 60, maxQos: 1, inflight: 4, maxPacketBytes: 512, offlineBytes: 64, subscriptions: 1 },
  new EspruinoNetTransport("127.0.0.1", 1883, false), espruinoClock,
  {
    onMessage: function (sub: number, p: Packet): void {
      got++;
    },
  },
);
const topic = utf8Bytes(__TOPIC__);
const payload = utf8Bytes(__PAYLOAD__);
client.subscribe(utf8Bytes(__FILTER__), 1);
client.start();

global.B = {
  pub: function (): void {
    client.publish(topic, payload, 0, payload.length, 0, false);
  },
  got: function (): number {
    return got;
  },
};
