// The device code bundles to ES5 that passes the Espruino compatibility check (docs/espruino.md).
import { describe, it, expect } from "vitest";
import { bundleFirmware } from "../../sim/build/bundle";
import { checkEspruino } from "../../sim/build/espruino-check";

describe("device bundle", () => {
  it("firmware/device/device.ts bundles to ES5 with no Espruino findings", async () => {
    const source = await bundleFirmware({ entry: "firmware/device/device.ts" });
    expect(checkEspruino(source)).toEqual([]);
  });
});
