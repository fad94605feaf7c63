// The MQTT 3.1.1 engine's public surface: codec, streaming decoder, topics, error table.
export * from "./errors";
export * from "./packet-types";
export * from "./bytes";
export * from "./utf8";
export * from "./topic";
export * from "./encode";
export * from "./packet";
export * from "./decoder";
