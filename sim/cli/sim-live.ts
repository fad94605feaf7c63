// The live view wired to a running simulator: every event of the (first) board goes into its model, keys
// act on the board as the outside world would, and the screen says how to switch relay 1 from a shell.
import { fleetConfigs } from "../runner/fleet";
import type { Simulator } from "../runner/simulator";
import type { SimEvent } from "../runner/events";
import { BoardState } from "../view/board-state";
import { LiveView } from "../view/live-view";
import { HUMIDITY_STEP, TEMPERATURE_STEP, keyBindings, keysHelp, type KeyAction } from "../view/keys";
import type { ScreenInfo, ScreenInput } from "../view/live-screen";

export interface LiveIO {
  out: NodeJS.WriteStream;
  input: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

/** startLive(sim, io, quit) -> where events go, and close() that gives the terminal back. Before sim.start(). */
export function startLive(sim: Simulator, io: LiveIO, quit: () => void): { event(e: SimEvent): void; close(): void } {
  const o = sim.options;
  const devices = o.devices ?? 1;
  const config = fleetConfigs(o.config, devices)[0];
  const state = new BoardState(config);
  const bindings = keyBindings(config);
  const help = keysHelp(bindings);
  let fleet = "";
  // The view draws its first screen while it is being made, before this variable is set.
  let view: LiveView | null = null;
  const act = (a: KeyAction) => {
    const b = sim.boards[0];
    if (!b) return;
    try {
      switch (a.kind) {
        case "flip": b.flip(a.sensor!); break;
        case "pulse": void b.pulse(a.sensor!, 1); break;
        case "press": void b.click(a.sensor!); break;
        case "wifi": b.wifi(!b.wifiOn); break;
        case "analog": b.setAnalog(a.sensor!, b.analogInput(a.sensor!) + a.delta!); break;
        case "measure": {
          const step = config.sensors[a.sensor!].measure === "humidity" ? HUMIDITY_STEP : TEMPERATURE_STEP;
          b.setMeasured(a.sensor!, b.measured(a.sensor!) + a.delta! * step);
          break;
        }
        case "condition": {
          const next = { ok: "missing", missing: "corrupt", corrupt: "ok" } as const;
          b.setCondition(a.sensor!, next[b.busSensors.condition(a.sensor!)]);
          break;
        }
        case "kill": b.kill(); break;
        case "boot": b.boot(); break;
        case "quit": quit(); break;
        case "select": break;
      }
    } catch (e) {
      state.apply({ t: performance.now() - sim.t0, device: config.id, event: "error", what: "key", message: String((e as Error).message ?? e) });
    }
    view?.invalidate();
  };
  const inputs = (): ScreenInput[] => {
    const b = sim.boards[0];
    return bindings.filter((k) => k.type !== "button").map((k) => {
      const s = config.sensors[k.sensor];
      const base: ScreenInput = { key: k.key, sensor: s.name, type: s.type, pin: s.pin };
      if (!b) return base;
      if (s.type === "analog") return { ...base, analog: b.analogInput(k.sensor) };
      if (s.type === "ds18b20" || s.type === "dht22") {
        return { ...base, measured: b.measured(k.sensor), condition: b.busSensors.condition(k.sensor) };
      }
      const level = b.bank.read(s.pin) ? 1 : 0;
      return s.type === "counter" ? { ...base, level, pulses: b.pulsesSent(k.sensor) } : { ...base, level };
    });
  };
  view = new LiveView({
    out: io.out,
    input: io.input,
    state,
    info: (): ScreenInfo => ({
      broker: sim.broker.port ? `${sim.broker.tls ? "mqtts" : "mqtt"}://${sim.broker.host}:${sim.broker.port}` : "starting",
      embedded: !o.broker,
      mode: o.mode,
      mosquittoPub: sim.mosquittoPub() ?? "(this board has no relays)",
      inputs: inputs(),
      keysHelp: help,
      buttonKeys: Object.fromEntries(bindings.filter((k) => k.type === "button").map((k) => [k.name, k.key])),
      devices,
      fleet: fleet || undefined,
      color: io.out.isTTY === true && !io.env.NO_COLOR,
      now: performance.now() - sim.t0,
      selected: view ? view.selectedAnalog : null,
    }),
    onAction: act,
  });
  return {
    event(e: SimEvent): void {
      if (e.event === "fleet") fleet = `${e.connected} of ${e.devices} connected, ${e.msgsPerSec} msgs/s, rss ${e.rssMB} MB`;
      else state.apply(e);
      view?.invalidate();
    },
    close: () => view?.close(),
  };
}
