// The three fuzz targets and how a run numbers its streams: stream n goes to target n % 3 and is made
// from Rng(seed, n) alone, so any one can be made and replayed by itself.
import { Rng } from "./rng";
import { makeStream, type Stream, type Target } from "./streams";
import { runDecoderStream, decoderVocabulary } from "./target-decoder";
import { runClientStream, clientVocabulary } from "./target-client";
import { runDeviceStream, deviceVocabulary, fuzzBoard } from "./target-device";
import type { StreamResult } from "./report";

export type { Target } from "./streams";

export const TARGETS: Target[] = ["decoder", "client", "device"];

const client = clientVocabulary();
const device = deviceVocabulary(fuzzBoard());
const VOCABULARY = { decoder: decoderVocabulary(client, device), client, device };
const RUN: Record<Target, (s: Stream) => StreamResult> = { decoder: runDecoderStream, client: runClientStream, device: runDeviceStream };

/** streamAt(seed, index) -> the target and stream number `index` of a run. */
export function streamAt(seed: number, index: number): { target: Target; stream: Stream } {
  const target = TARGETS[index % TARGETS.length];
  return { target, stream: makeStream(new Rng(seed, index), target, VOCABULARY[target]) };
}

/** runStream(target, stream) -> its result. */
export function runStream(target: Target, stream: Stream): StreamResult {
  return RUN[target](stream);
}
