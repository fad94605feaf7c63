// The firmware's log lines, as the board prints them on its console and the simulator shows them:
//   relaymq warn mqtt CONNECT_FAILED (-52) 192.168.1.10:1883: Unable to locate host
// the level and the error code by name, and after a failed or lost connection where it went and why.
// Logs are rare (a connect attempt at most every second), so on the board the names are looked up in one
// string the build writes in (__ERROR_NAMES__, "|-1=BUFFER_TOO_SMALL|...|"): no table held in JsVars.
import type { Log } from "../platform";
import { E_CONNACK_TIMEOUT, E_CONNECT_FAILED, E_CONNECTION_LOST } from "../mqtt/errors";

declare const __ERROR_NAMES__: string;

/**
 * logText(level, code, message, name, where) -> the line after "relaymq ": "warn mqtt CONNECT_FAILED (-52)
 * 10.0.0.2:1883: no connection (-11)". name is the code's name; where (the transport's "host:port: cause")
 * is added to connection failures only.
 */
export function logText(level: number, code: number, message: string, name: string, where: string): string {
  let s = (level === 0 ? "error " : level === 1 ? "warn " : level === 2 ? "info " : "debug ") + message;
  if (code !== 0) s += " " + name + " (" + code + ")";
  if (code === E_CONNECT_FAILED || code === E_CONNECTION_LOST || code === E_CONNACK_TIMEOUT) s += " " + where;
  return s;
}

/** codeName(code) -> the error table's name for code ("CONNECT_FAILED"), or "E<code>" for one it lacks. */
export function codeName(code: number): string {
  const names = __ERROR_NAMES__;
  const at = names.indexOf("|" + code + "=");
  if (at < 0) return "E" + code;
  const start = names.indexOf("=", at) + 1;
  return names.substring(start, names.indexOf("|", start));
}

/** consoleLog(where) -> the board's Log: one console line per entry; where() describes the connection. */
export function consoleLog(where: () => string): Log {
  return {
    log: function (level: number, code: number, message: string): void {
      console.log("relaymq " + logText(level, code, message, codeName(code), where()));
    },
  };
}
