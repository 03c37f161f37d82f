/**
 * What an exported model says about itself in metadata_props: how to turn an image into
 * its input, what its outputs mean, and the network definition it was built from.
 */
import type { onnx } from 'onnx-proto';
import type { Shape } from '../spec';
import { METADATA_KEYS } from './proto';

/** MNIST images are 28x28; the demo's networks take a centred crop of them. */
const MNIST_SIDE = 28;

/** The digits, the class names of every built-in network. */
export const DIGIT_CLASS_NAMES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/**
 * The preprocessing the dashboard trains with (src/data/mnist.ts PIXEL_TO_INPUT and
 * src/data/augment.ts fillCenterCrop), as one sentence for a network of input `shape`.
 */
export function describeMnistPreprocessing(shape: Shape): string {
  const scaling = 'each pixel p (0..255, MNIST: white digit on black) becomes p/255 - 0.5';
  const layout = `input tensor NCHW float32 [N, ${shape.depth}, ${shape.sy}, ${shape.sx}]`;
  if (shape.depth !== 1 || shape.sx > MNIST_SIDE || shape.sy > MNIST_SIDE) return `${scaling}; ${layout}`;
  if (shape.sx === MNIST_SIDE && shape.sy === MNIST_SIDE) return `${scaling}; the whole 28x28 image; ${layout}`;
  const left = (MNIST_SIDE - shape.sx) >> 1;
  const top = (MNIST_SIDE - shape.sy) >> 1;
  return (
    `${scaling}; the center ${shape.sx}x${shape.sy} crop of the 28x28 image ` +
    `(columns ${left}..${left + shape.sx - 1}, rows ${top}..${top + shape.sy - 1}); ${layout}`
  );
}

export type MetadataKey = (typeof METADATA_KEYS)[keyof typeof METADATA_KEYS];

/** metadata_props entries, skipping values that are absent. */
export function metadataProps(entries: Partial<Record<MetadataKey, string>>): onnx.IStringStringEntryProto[] {
  return Object.entries(entries)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([key, value]) => ({ key, value }));
}

/** One metadata value of a model, or undefined. */
export function metadataValue(model: onnx.IModelProto, key: MetadataKey): string | undefined {
  const entry = (model.metadataProps ?? []).find((p) => p.key === key);
  return entry?.value ?? undefined;
}
