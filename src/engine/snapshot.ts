/**
 * Save and load networks in ConvNetJS's JSON snapshot format (`net.toJSON()` /
 * `net.fromJSON(json)`), so snapshots move both ways between ConvNetJS and this engine.
 *
 * Format: `{ layers: [...] }`, one object per (desugared) layer with `layer_type`,
 * `out_sx`, `out_sy`, `out_depth` and type-specific fields; conv and fc layers carry
 * `filters` (one volume `{sx, sy, depth, w}` per filter or neuron) and `biases`
 * (`{sx: 1, sy: 1, depth: n, w}`). Weights inside a volume are HWC, as in Volume.
 *
 * Weights load exactly (float32), and a net without dropout predicts as in ConvNetJS
 * 0.3.0. With dropout, outputs agree only up to the first dropout layer: ours is the
 * identity at prediction (inverted dropout, see layers/dropout.ts) where 0.3.0
 * multiplies by drop_prob, so the layers after it see values 1 / drop_prob times
 * larger than in 0.3.0 and a net trained there may predict differently here.
 *
 * Loading checks the whole snapshot before building anything: a rejected snapshot
 * throws a SnapshotError naming the layer, its type and the field, and the caller's
 * current net is untouched.
 */
import { descriptorOf, LAYER_DESCRIPTORS, LAYER_TYPES, type ResolvedLayer } from './layers/registry';
import { NO_INPUT, weightGroups, type Shape } from './layers/descriptor';
import { LIMITS } from './limits';
import { Net } from './net';
import { Rng } from './rng';
import { dims, SnapshotError, SnapshotLayerReader, type LayerWeights } from './snapshot-reader';
import { layerActivationCount, paramCount, shapeSize } from './spec';

export { SnapshotError, type LayerWeights } from './snapshot-reader';
export type { VolJSON } from './layers/descriptor';
export type { ActivationLayerJSON } from './layers/activations';
export type { ConvLayerJSON } from './layers/conv';
export type { DropoutLayerJSON } from './layers/dropout';
export type { FcLayerJSON } from './layers/fc';
export type { InputLayerJSON } from './layers/input';
export type { LossLayerJSON } from './layers/losses';
export type { LrnLayerJSON } from './layers/lrn';
export type { MaxoutLayerJSON } from './layers/maxout';
export type { PoolLayerJSON } from './layers/pool';

/** One layer of a snapshot: whichever JSON a registered layer module writes. */
export type LayerJSON = ReturnType<(typeof LAYER_DESCRIPTORS)[number]['toJSON']>;

export interface ConvNetJSSnapshot {
  layers: LayerJSON[];
}

// ---------------------------------------------------------------------------
// Saving

/** The net as ConvNetJS's `Net.toJSON()` would write it; weights as plain number arrays. */
export function netToJSON(net: Net): ConvNetJSSnapshot {
  return { layers: net.layers.map((layer) => descriptorOf(layer.spec.type).toJSON(layer.spec, layer.params) as LayerJSON) };
}

// ---------------------------------------------------------------------------
// Loading

/**
 * Builds a Net from a ConvNetJS snapshot (the object, or its JSON text). Everything
 * is checked first; on any problem a SnapshotError is thrown and nothing is built.
 * `rng` becomes the net's generator (dropout); weights all come from the snapshot.
 */
export function netFromJSON(json: unknown, rng: Rng = new Rng(0)): Net {
  const { specs, weights } = readSnapshot(json);
  const net = new Net(specs, rng);
  for (const layer of net.layers) {
    const layerWeights = weights.get(layer.spec.index);
    if (!layerWeights) continue;
    const { filters, biases } = weightGroups(layer.params, layer.spec.index);
    filters.w.set(layerWeights.filters);
    biases.w.set(layerWeights.biases);
  }
  return net;
}

/**
 * Builds a Net from the text of a snapshot file. The length is checked before JSON.parse,
 * so an oversized file is refused before it costs parse time and memory; then as netFromJSON.
 */
export function parseSnapshotText(text: string, rng: Rng = new Rng(0)): Net {
  return netFromJSON(parseSnapshotJSON(text), rng);
}

/** JSON.parse behind the size cap, with syntax errors as SnapshotErrors that never quote the text. */
export function parseSnapshotJSON(text: string): unknown {
  if (text.length > LIMITS.maxSnapshotChars) {
    const mb = (n: number): string => `${Math.round(n / 1e6).toLocaleString('en-US')} MB`;
    throw new SnapshotError(
      `snapshot: the file is about ${mb(text.length)}, over the limit of ${mb(LIMITS.maxSnapshotChars)}; ` +
        'a snapshot of a network this size is too large to load here',
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SnapshotError(`snapshot: not valid JSON (${jsonProblem(text, (e as Error).message)})`);
  }
}

/**
 * Where a JSON text goes wrong, in words that never quote it: the parser's own message
 * repeats the start of the text, and a file chosen by mistake (a key, /etc/passwd) must
 * not be echoed into a message, a log or a bug report.
 */
function jsonProblem(text: string, parserMessage: string): string {
  const start = text.trimStart();
  if (start === '') return 'the text is empty';
  if (!start.startsWith('{')) return "it does not start with '{': a ConvNetJS snapshot is one JSON object";
  const at = /at position (\d+)/.exec(parserMessage);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return `a syntax error at line ${line}, column ${column}`;
  }
  if (/end of JSON input/i.test(parserMessage)) return 'the text ends before the JSON is complete';
  return 'a syntax error';
}


/** A checked snapshot: the layer specs to build and the weights of each conv/fc layer by index. */
export interface ReadSnapshot {
  specs: ResolvedLayer[];
  weights: Map<number, LayerWeights>;
}

/** A checked snapshot: the layer specs to build and the weights of each conv/fc layer by index. */
export interface ReadSnapshot {
  specs: ResolvedLayer[];
  weights: Map<number, LayerWeights>;
}

/** Validates a snapshot completely and returns what netFromJSON builds from it. */
export function readSnapshot(json: unknown): ReadSnapshot {
  const root = typeof json === 'string' ? parseSnapshotJSON(json) : json;
  if (!isRecord(root) || !Array.isArray(root.layers)) {
    throw new SnapshotError("snapshot: expected an object with a 'layers' array, as ConvNetJS's net.toJSON() writes");
  }
  const layers: unknown[] = root.layers;
  if (layers.length > LIMITS.maxLayers) {
    throw new SnapshotError(`snapshot: has ${layers.length} layers, over the limit of ${LIMITS.maxLayers}`);
  }
  if (layers.length < 2) {
    throw new SnapshotError(`snapshot: needs at least an input layer and a loss layer, found ${layers.length} layer(s)`);
  }
  const specs: ResolvedLayer[] = [];
  const weights = new Map<number, LayerWeights>();
  let totalParams = 0;
  let totalActivations = 0;
  let prev: Shape | null = null;
  for (let i = 0; i < layers.length; i++) {
    const reader = SnapshotLayerReader.of(layers[i], i, LAYER_TYPES);
    const spec = readLayerSpec(reader, prev, i === layers.length - 1);
    const activations = shapeSize(spec.out);
    if (activations > LIMITS.maxLayerActivations) {
      reader.failSentence(
        'out_depth',
        `output ${dims(spec.out)} = ${activations} values is over the limit of ${LIMITS.maxLayerActivations} values per layer; ` +
          'reduce out_sx, out_sy or out_depth',
      );
    }
    totalActivations += layerActivationCount(spec);
    if (totalActivations > LIMITS.maxTotalActivations) {
      reader.failSentence(
        'out_depth',
        `the layers up to this one hold ${totalActivations} activation values, over the limit of ${LIMITS.maxTotalActivations} ` +
          'for the whole network; reduce out_sx, out_sy or out_depth',
      );
    }
    totalParams += paramCount(spec);
    if (totalParams > LIMITS.maxParams) {
      reader.failSentence(
        'filters',
        `its ${paramCount(spec)} parameters bring the total to ${totalParams}, over the limit of ${LIMITS.maxParams} ` +
          '(filters and biases of all conv and fc layers)',
      );
    }
    const weightShape = descriptorOf(spec.type).weightShape?.(spec);
    if (weightShape !== undefined) weights.set(i, reader.readWeights(weightShape.filter, weightShape.count));
    specs.push(spec);
    prev = spec.out;
  }
  return { specs, weights };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one layer: its place in the net first (input first, a loss last), then its own fields. */
function readLayerSpec(reader: SnapshotLayerReader, prev: Shape | null, isLast: boolean): ResolvedLayer {
  const type = reader.type as ResolvedLayer['type'];
  if (prev === null) {
    if (type !== 'input') reader.fail('layer_type', `must be 'input' for the first layer, got '${type}'`);
  } else if (type === 'input') {
    reader.fail('layer_type', "'input' may only be the first layer");
  }
  const isLoss = descriptorOf(type).isLoss === true;
  if (isLast && !isLoss) {
    reader.fail('layer_type', `'${type}' cannot be the last layer; a snapshot ends with softmax, svm or regression`);
  }
  if (!isLast && isLoss) {
    reader.fail('layer_type', `'${type}' is a loss layer and may only be the last layer`);
  }
  return descriptorOf(type).fromJSON(reader, prev ?? NO_INPUT, { index: reader.index, sourceIndex: reader.index });
}
