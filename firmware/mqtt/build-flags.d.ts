// Engine features a build may leave out. The board's build (sim/build/bundle.ts, engineDefines) defines
// each false for what the device never uses, so the code of those features is dead and the bundler drops
// it: on the interpreter every function costs JsVars whether or not it ever runs. From the sources (the
// simulator, the tests, anyone using the engine on Node) they are not defined and every feature is there,
// so each module reads them once as `typeof __MQTT_X__ === "undefined" || __MQTT_X__`.
/** Publishing and receiving at QoS 2 (the incoming id set, PUBREC/PUBREL/PUBCOMP flows). */
declare const __MQTT_QOS2__: boolean | undefined;
/** The offline store: QoS 1/2 messages published while disconnected, sent on reconnect. */
declare const __MQTT_OFFLINE_STORE__: boolean | undefined;
/** Matching received topics against the subscriptions (ClientOptions.matchTopics). */
declare const __MQTT_TOPIC_MATCH__: boolean | undefined;
/** Parsing the packets only a server receives: CONNECT, SUBSCRIBE, UNSUBSCRIBE. */
declare const __MQTT_SERVER_PACKETS__: boolean | undefined;
/**
 * Filling a parsed packet's framing fields (Packet.flags, packetOff, length, remainingLength): the
 * decoder's readers (npm run decode, the wire observer) need them, the board reads none (~49,000
 * instructions a packet on the interpreter).
 */
declare const __MQTT_PACKET_FRAMING__: boolean | undefined;
/**
 * Counting the traffic (ClientStats.packetsIn, packetsOut, bytesIn, bytesOut): the engine's users read
 * them, the board's telemetry reports none (~34,000 instructions a QoS 1 message on the interpreter).
 */
declare const __MQTT_TRAFFIC_STATS__: boolean | undefined;
