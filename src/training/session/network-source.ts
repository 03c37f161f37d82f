/**
 * Networks a person brings: definition text and ConvNetJS snapshots, parsed and checked
 * against the session's dataset before the session touches anything. A refusal is a sentence, and the
 * generator is left as it was (building a net draws its initial weights from it).
 */
import { errorMessage } from '../../engine/error-message';
import { Net } from '../../engine/net';
import { parseNetwork } from '../../engine/parse';
import type { Rng } from '../../engine/rng';
import { parseSnapshotText } from '../../engine/snapshot';
import type { ResolvedLayer, TrainerSpec } from '../../engine/spec';
import { datasetProblem, type SessionDataset } from './model';

export type NetworkOrRefusal<T> = ({ ok: true } & T) | { ok: false; error: string };

/** A network and trainer from definition text (ConvNetJS snippet or JSON). */
export function networkFromDefinition(
  text: string,
  rng: Rng,
  dataset?: SessionDataset,
): NetworkOrRefusal<{ net: Net; trainer: TrainerSpec }> {
  let parsed;
  try {
    parsed = parseNetwork(text);
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
  const problem = datasetProblem(parsed.layers, dataset);
  if (problem) return { ok: false, error: problem };
  const built = buildWith(rng, () => new Net(parsed.layers, rng), errorMessage);
  return built.ok ? { ...built, trainer: parsed.trainer } : built;
}

/** A network from ConvNetJS-format snapshot JSON text. */
export function networkFromSnapshot(jsonText: string, rng: Rng, dataset?: SessionDataset): NetworkOrRefusal<{ net: Net }> {
  const rngState = rng.getState();
  // parseSnapshotText refuses an oversized text before JSON.parse, and never quotes it.
  const built = buildWith(rng, () => parseSnapshotText(jsonText, rng), (error) => `The snapshot cannot be loaded: ${errorMessage(error)}`);
  if (!built.ok) return built;
  const problem = datasetProblem(built.net.specs, dataset);
  if (problem) {
    rng.setState(rngState);
    return { ok: false, error: `The snapshot cannot be used here: ${problem}` };
  }
  return built;
}

/** Builds a net; when that throws, the generator goes back to where it was and the refusal says why. */
function buildWith(rng: Rng, build: () => Net, refusal: (error: unknown) => string): NetworkOrRefusal<{ net: Net }> {
  const rngState = rng.getState();
  try {
    return { ok: true, net: build() };
  } catch (error) {
    rng.setState(rngState);
    return { ok: false, error: refusal(error) };
  }
}

/**
 * Whether two networks are the same but for how fresh weights would start (bias_pref) and
 * which line of text each layer came from, neither of which a ConvNetJS snapshot records: then the person's own definition text still
 * describes the loaded network, and it stays as they wrote it.
 */
export function sameNetwork(a: readonly ResolvedLayer[], b: readonly ResolvedLayer[]): boolean {
  const shape = (layers: readonly ResolvedLayer[]) =>
    layers.map((layer) => {
      // sourceIndex is the line of the text a layer came from: a snapshot lists the expanded layers.
      const { biasPref: _biasPref, sourceIndex: _sourceIndex, ...rest } = layer as ResolvedLayer & { biasPref?: number };
      return JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([x], [y]) => x.localeCompare(y))));
    });
  const left = shape(a);
  const right = shape(b);
  return left.length === right.length && left.every((layer, i) => layer === right[i]);
}
