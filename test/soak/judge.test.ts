// The soak's judge (judge.ts), case by case: which commands were lost or applied twice, from what the
// board's socket carried and what its pins did, in order.
import { describe, it, expect } from "vitest";
import { Judge, commandPayload, commandNumber } from "./judge";

const TOPICS = ["r/pump", "r/fan"];

/** A judge with commands 0 (pump ON), 1 (fan ON), 2 (pump OFF) accepted by the broker. */
function judge(): Judge {
  const j = new Judge(TOPICS, [false, false]);
  j.accept(0, 0, true);
  j.accept(1, 1, true);
  j.accept(2, 0, false);
  return j;
}

/** The board handles command k (its PUBLISH arrives with packet id `id`), writes, and acknowledges. */
function handle(j: Judge, k: number, id: number, writes: Array<[number, boolean]>, ack = true): void {
  j.received(TOPICS[k === 1 ? 1 : 0], commandPayload(k === 2 ? "OFF" : "ON", k), id);
  for (const [r, on] of writes) j.wrote(r, on);
  if (ack) j.acked(id);
}

describe("the soak's judge", () => {
  it.each([0, 1, 2, 1000, 4 ** 10 - 1])("numbers a command in whitespace the board ignores: %i", (k) => {
    const p = commandPayload("OFF", k);
    expect(p).toMatch(/^OFF[ \t\r\n]{10}$/);
    expect(commandNumber(p)).toEqual(["OFF", k]);
  });

  it("every command handled once, in order: nothing lost, nothing twice", () => {
    const j = judge();
    j.socket();
    handle(j, 0, 1, [[0, true]]);
    handle(j, 1, 2, [[1, true]]);
    handle(j, 2, 3, [[0, false]]);
    expect(j.pending()).toBe(0);
    expect(j.verdict([false, true])).toEqual({ accepted: 3, lost: [], duplicated: [], redelivered: 0, unexplained: [], finalMismatch: [] });
  });

  it("a command cut off before the board read it, then redelivered: handled once, not lost", () => {
    const j = judge();
    j.socket();
    j.received(TOPICS[0], commandPayload("ON", 0), 1);
    j.socket();
    handle(j, 0, 1, [[0, true]]);
    handle(j, 1, 2, [[1, true]]);
    handle(j, 2, 3, [[0, false]]);
    expect(j.verdict([false, true])).toMatchObject({ lost: [], duplicated: [], redelivered: 1 });
  });

  it("a command handled without its effect, and one never handled: both lost", () => {
    const j = judge();
    j.socket();
    handle(j, 0, 1, [[0, true]]);
    handle(j, 1, 2, []);
    expect(j.pending()).toBe(1);
    expect(j.verdict([true, false]).lost).toEqual([1, 2]);
  });

  it("PUBACKs lost in a cut and the commands redelivered after the relay moved on: applied twice", () => {
    const j = judge();
    j.socket();
    handle(j, 0, 1, [[0, true]], false);
    handle(j, 2, 3, [[0, false]], false);
    j.socket();
    handle(j, 0, 1, [[0, true]]);
    handle(j, 2, 3, [[0, false]]);
    handle(j, 1, 4, [[1, true]]);
    expect(j.verdict([false, true])).toMatchObject({ lost: [], duplicated: [0, 2], redelivered: 2 });
  });

  it("a relay that switches with no command, or with another relay's: unexplained; a pin left wrong: a mismatch", () => {
    const j = judge();
    j.socket();
    j.wrote(1, true);
    j.received(TOPICS[0], commandPayload("ON", 0), 1);
    j.wrote(1, false);
    j.wrote(0, true);
    j.acked(1);
    j.wrote(0, true);
    const v = j.verdict([false, false]);
    expect(v.unexplained).toEqual([
      "relay 1 switched on with no command being handled",
      "relay 1 switched off while no command for it was handled (command 0 for relay 0 was)",
    ]);
    expect(v.finalMismatch).toEqual(["relay 0 is off, its last command (0) said on"]);
  });
});
