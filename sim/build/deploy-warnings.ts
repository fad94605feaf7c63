// Settings that load and simulate fine but cannot work once flashed: the build warns about them, the
// simulator does not (it routes every board to its own broker, whatever host board.json names).
import type { DeviceConfig } from "../../firmware/device/config";
import type { Secret } from "../board/load";

const LOOPBACK = /^(localhost(\.localdomain)?|127(\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1|\[::1\])$/i;

/** deployWarnings(config, secrets) -> "path: warning" lines; a value from the environment is named, not shown. */
export function deployWarnings(config: DeviceConfig, secrets: ReadonlyMap<string, Secret>): string[] {
  const out: string[] = [];
  const host = config.mqtt.host;
  if (LOOPBACK.test(host)) {
    const secret = secrets.get("mqtt.host");
    const shown = secret ? `$${secret.name}, a loopback address,` : `"${host}"`;
    out.push(`mqtt.host: ${shown} is the board itself once flashed: name the broker by its address on your ` +
      "network (the simulator routes any host to its broker, so it works there)");
  }
  if (config.mqtt.tls) {
    out.push("mqtt.tls: needs an Espruino build with TLS: the official ESP32 release (ESP-IDF 3, boards/ESP32.py) " +
      "has it, the ESP-IDF 4 build does not; TLS also takes tens of KB of the board's heap");
  }
  return out;
}
