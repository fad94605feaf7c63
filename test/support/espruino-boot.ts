// What it takes to run code in the Espruino interpreter as it runs on the board: the code written to
// Storage ".bootcde" and started with load(), so it runs from flash (docs/espruino.md), plus stand-ins
// for the modules the Linux build lacks (WiFi) or that a test replaces (a fake `net` socket).
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import mqtt from "mqtt";
import { pretokenise } from "../../sim/build/pretokenise";

/**
 * A Wifi module that reports connected 50 ms after connect(): the Linux build has no WiFi. getIP() and
 * getStatus() answer as the ESP32 build's do when joined (libs/network/esp32/jswrap_esp32_network.c).
 */
export const WIFI_STUB =
  'Modules.addCached("Wifi","exports.connect=function(s,o,cb){setTimeout(function(){cb(null);},50);};' +
  'exports.on=function(){};exports.disconnect=function(){};' +
  "exports.getIP=function(){return {ip:'192.168.1.50',netmask:'255.255.255.0',gw:'192.168.1.1',mac:'24:0A:C4:AA:BB:CC'};};" +
  "exports.getStatus=function(){return {station:'connected',rssi:-67,mode:'sta'};};" +
  '");\n';

/**
 * A `net` module whose one socket is the global FS: connect() keeps the callback in FS.cb, on() keeps the
 * handlers in FS.h, write() counts writes and keeps the last two strings (FS.last, FS.prev). A driver
 * opens it with FS.cb() and feeds it with FS.h.data(string), as the board's socket would.
 */
export const FAKE_NET =
  "global.FS={h:{},n:0,last:'',prev:'',cb:null,on:function(e,f){this.h[e]=f;}," +
  "write:function(d){this.n++;this.prev=this.last;this.last=d;},end:function(){}};\n" +
  'Modules.addCached("net","exports.connect=function(o,cb){FS.cb=cb;return FS;};");\n';

/**
 * uploadScript(code, files?) -> what `npm run flash` sends: `code` into Storage .bootcde in chunks,
 * pretokenised as flash writes it (sim/build/pretokenise.ts), and each of `files` under its name as given
 * (e.g. a module require() then reads from flash), then load().
 */
export function uploadScript(code: string, files: Record<string, string | Buffer> = {}): string {
  let s = 'require("Storage").eraseAll();\n';
  const boot = pretokenise(code);
  for (const [name, data] of [...Object.entries(files), [".bootcde", boot] as const]) {
    const bytes = typeof data === "string" ? Buffer.from(data, "latin1") : data;
    for (let i = 0; i < bytes.length; i += 1024) {
      const part = bytes.subarray(i, i + 1024).toString("base64");
      s += i === 0
        ? `require("Storage").write(${JSON.stringify(name)},atob("${part}"),0,${bytes.length});\n`
        : `require("Storage").write(${JSON.stringify(name)},atob("${part}"),${i});\n`;
    }
  }
  return s + "load();\n";
}

/**
 * runScript(bin, args, cwd, done, timeoutMs) -> everything the interpreter printed, once a line matching
 * `done` appeared (then it is stopped) or it exited. Its stdin stays an open pipe: with a closed one the
 * interpreter reads endless 0xFF bytes as console input, which also fills its memory.
 */
export function runScript(bin: string, args: string[], cwd: string, done: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const take = (d: Buffer) => {
      out += d.toString("latin1");
      if (done.test(out)) child.kill("SIGKILL");
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** A client watching what boards publish (devices/#), and everything it has received so far, in order. */
export interface DeviceWatcher {
  peer: mqtt.MqttClient;
  seen: { topic: string; payload: string }[];
}

/** watchDevices(port, cleanups) -> a client subscribed to devices/# at the broker on `port`, ended at cleanup. */
export async function watchDevices(port: number, cleanups: (() => unknown)[]): Promise<DeviceWatcher> {
  const peer = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clientId: "peer" });
  cleanups.push(() => peer.end(true));
  const seen: { topic: string; payload: string }[] = [];
  peer.on("message", (topic, payload) => seen.push({ topic, payload: payload.toString() }));
  await new Promise<void>((r) => peer.on("connect", () => peer.subscribe("devices/#", { qos: 1 }, () => r())));
  return { peer, seen };
}

/**
 * startUpload(bin, dir, cleanups) -> the interpreter running dir/upload.js (stdin kept open: a closed one
 * reads as endless console input), killed at cleanup.
 */
export function startUpload(bin: string, dir: string, cleanups: (() => unknown)[]): ChildProcess {
  const child = spawn(bin, [join(dir, "upload.js")], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
  cleanups.push(() => child.kill("SIGKILL"));
  return child;
}
