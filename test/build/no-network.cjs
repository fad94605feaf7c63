// Preloaded with NODE_OPTIONS=--require into `npm run flash` and the espruino CLI it starts (children
// inherit NODE_OPTIONS): every attempt to reach the network (a TCP/UDP connect or a DNS lookup) is
// recorded in $NO_NETWORK_LOG and fails. Local IPC over a Unix socket path (tsx uses one) is allowed, and
// so are the loopback addresses a test lists in $NO_NETWORK_ALLOW ("127.0.0.1:1234,127.0.0.1:2323").
// Each process that loads this file logs "loaded <script>", so a test can see the guard was in place.
"use strict";
const fs = require("fs");
const net = require("net");
const dns = require("dns");
const dgram = require("dgram");
const LOG = process.env.NO_NETWORK_LOG;
const ALLOW = (process.env.NO_NETWORK_ALLOW || "").split(",").filter(Boolean);
function record(what) {
  if (LOG) fs.appendFileSync(LOG, what + "\n");
}
record("loaded " + (process.argv[1] || process.argv[0]));
function blocked(what) {
  record("NETWORK " + what);
  return new Error("network access blocked by test/build/no-network.cjs: " + what);
}
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalized arguments as one array: [options, callback].
  const o = Array.isArray(args[0]) ? args[0][0] : args[0];
  const isPath = (typeof o === "object" && o !== null && typeof o.path === "string") ||
    (typeof o === "string" && isNaN(Number(o)));
  if (isPath) return connect.apply(this, args);
  const to = typeof o === "object" && o !== null ? (o.host || o.hostname) + ":" + o.port : String(o);
  if (ALLOW.includes(to)) {
    record("ALLOWED connect " + to);
    return connect.apply(this, args);
  }
  throw blocked("connect " + to);
};
for (const name of ["lookup", "resolve", "resolve4", "resolve6"]) {
  dns[name] = function (host) {
    throw blocked("dns." + name + " " + host);
  };
  if (dns.promises && dns.promises[name]) dns.promises[name] = dns[name];
}
dgram.Socket.prototype.send = function () {
  throw blocked("udp send");
};
