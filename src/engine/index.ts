/**
 * The engine's public surface: what the rest of the app (ui, state, training,
 * comparison, parallel, data) and the scripts use. Everything behind it (layer modules,
 * kernel sets, the snapshot reader) may change shape without their imports changing.
 */

// Networks, volumes and randomness
export { Net } from './net';
export { Volume } from './volume';
export { Rng } from './rng';
export { isLossLayer, type Layer, type LossLayer, type LossTarget, type ParamGroup } from './layers';
export { LAYER_DESCRIPTORS, descriptorOf } from './layers/registry';
export type { DefinitionField, DefinitionLine, LayerDescriptor } from './layers/descriptor';

// Specifications: layers and trainer options, their schemas and checks
export {
  DEFAULT_TRAINER,
  LAYER_FIELDS,
  LAYER_TYPES,
  LIMITS,
  SpecError,
  TRAINER_FIELDS,
  TRAINER_METHODS,
  TRAINER_NUMBER_FIELDS,
  defaultEps,
  describeRange,
  isLossType,
  numberProblem,
  paramCount,
  resolveLayers,
  resolveTrainer,
  shapeSize,
  totalParamCount,
  type LayerDef,
  type LayerFieldSchema,
  type LayerType,
  type NumberFieldSchema,
  type ResolvedLayer,
  type Shape,
  type SpecIssue,
  type TrainerFieldSchema,
  type TrainerMethod,
  type TrainerNumberField,
  type TrainerSpec,
} from './spec';

// Definition text and presets
export {
  SEED_DEFINITION_TEXT,
  SEED_TRAINER,
  parseDefinition,
  parseNetwork,
  type ObjectPosition,
  type ParsedDefinition,
  type TextPosition,
} from './parse';
export {
  CIFAR10_DEFINITION_TEXT,
  defaultDefinitionFor,
  NETWORK_PRESETS,
  presetsFor,
  presetTargetOf,
  type NetworkPreset,
  type PresetTarget,
} from './presets';

// Training
export { Trainer, type AccumulatorMeaning, type StepStats, type TrainerState } from './trainer';

// ConvNetJS snapshots
export { SnapshotError, netFromJSON, netToJSON, parseSnapshotJSON, parseSnapshotText, readSnapshot, type ConvNetJSSnapshot } from './snapshot';

// Kernels
export type { Kernels } from './kernels/contract';
export { jsKernels } from './kernels/js-blocked';
export { referenceKernels } from './kernels/js-reference';
export {
  KERNEL_CHOICES,
  defaultKernels,
  kernelsNamed,
  setDefaultKernels,
  wasmKernels,
  wasmKernelsAvailable,
  type KernelChoice,
} from './wasm';

// Messages
export { errorMessage } from './error-message';
