/**
 * Every layer type the engine knows, one descriptor per layer module. The shared
 * machinery (spec.ts, snapshot.ts, definition-text.ts) iterates this list, so
 * adding a layer type is its module plus one line here.
 */
import { activationLayers, type ActivationLayerSpec } from './activations';
import { convLayer, type ConvLayerSpec } from './conv';
import type { LayerDescriptor, LayerJSONBase, ResolvedBase } from './descriptor';
import { dropoutLayer, type DropoutLayerSpec } from './dropout';
import { fcLayer, type FcLayerSpec } from './fc';
import { inputLayer, type InputLayerSpec } from './input';
import { lossLayers, type LossLayerSpec } from './losses';
import { lrnLayer, type LrnLayerSpec } from './lrn';
import { maxoutLayer, type MaxoutLayerSpec } from './maxout';
import { poolLayer, type PoolLayerSpec } from './pool';

export const LAYER_DESCRIPTORS = [
  inputLayer,
  convLayer,
  fcLayer,
  poolLayer,
  activationLayers,
  maxoutLayer,
  dropoutLayer,
  lrnLayer,
  lossLayers,
] as const;

/** One concrete layer after desugaring and validation (camelCase, every default filled). */
export type ResolvedLayer =
  | InputLayerSpec
  | ConvLayerSpec
  | FcLayerSpec
  | PoolLayerSpec
  | ActivationLayerSpec
  | MaxoutLayerSpec
  | DropoutLayerSpec
  | LrnLayerSpec
  | LossLayerSpec;

export type LayerType = ResolvedLayer['type'];
export type { ConvLayerSpec, PoolLayerSpec };

/** Every layer type name, in registry order. */
export const LAYER_TYPES: readonly LayerType[] = LAYER_DESCRIPTORS.flatMap((d) => d.types);

type AnyDescriptor = LayerDescriptor<ResolvedBase & { type: string }, LayerJSONBase & { layer_type: string }>;

const BY_TYPE = new Map<string, AnyDescriptor>();
for (const descriptor of LAYER_DESCRIPTORS as readonly unknown[] as readonly AnyDescriptor[]) {
  for (const type of descriptor.types) BY_TYPE.set(type, descriptor);
}

export function isLayerType(type: unknown): type is LayerType {
  return typeof type === 'string' && BY_TYPE.has(type);
}

/**
 * The descriptor of a layer type. Typed loosely (any spec of the type goes in), as the
 * shared machinery only passes each descriptor the specs it made.
 */
export function descriptorOf(type: LayerType): LayerDescriptor<ResolvedLayer & { type: string }, LayerJSONBase & { layer_type: string }> {
  const descriptor = BY_TYPE.get(type);
  if (descriptor === undefined) throw new Error(`layer type '${type}' is not registered`);
  return descriptor as unknown as LayerDescriptor<ResolvedLayer, LayerJSONBase & { layer_type: string }>;
}
