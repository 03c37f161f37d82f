/**
 * Ready-made network definitions for the editor's preset picker, written in the same
 * ConvNetJS snippet form a person types, so loading one shows exactly what will be built.
 * NETWORK_PRESETS are MNIST's: each takes the demo's 24x24x1 crops and ends in 10 classes.
 * presetsFor(target) gives the list for any dataset's shape and class count; every preset
 * of every target fits it (tests/unit/engine/presets.test.ts checks that).
 */
import { SEED_DEFINITION_TEXT } from './parse';

/** What a network must fit: a dataset's image shape and class count. */
export interface PresetTarget {
  width: number;
  height: number;
  channels: number;
  classes: number;
  /** Whether training takes random crops of the images (MNIST's 24x24 of 28x28) rather than whole images. */
  randomCrops: boolean;
}

export interface NetworkPreset {
  /** Shown in the picker; unique. */
  name: string;
  /** One sentence on what sets this preset apart. */
  description: string;
  text: string;
}

/** The MNIST demo's trainer options, shared so the presets differ only in their layers. */
const SEED_TRAINER_OPTIONS = "{method:'adadelta', batch_size:20, l2_decay:0.001}";

/** A definition in the snippet form a person types: the layer lines, then the net and the trainer. */
function snippet(layerLines: readonly string[], trainerOptions = SEED_TRAINER_OPTIONS): string {
  return [
    'layer_defs = [];',
    ...layerLines.map((l) => `layer_defs.push(${l});`),
    '',
    'net = new convnetjs.Net();',
    'net.makeLayers(layer_defs);',
    '',
    `trainer = new convnetjs.SGDTrainer(net, ${trainerOptions});`,
    '',
  ].join('\n');
}

/** Two fully connected layers of 100 relu neurons on the raw pixels. */
function mlp(inputLine: string, classes: number): string {
  return snippet([
    inputLine,
    "{type:'fc', num_neurons:100, activation:'relu'}",
    "{type:'fc', num_neurons:100, activation:'relu'}",
    `{type:'softmax', num_classes:${classes}}`,
  ]);
}

const INPUT = "{type:'input', out_sx:24, out_sy:24, out_depth:1}";

export const NETWORK_PRESETS: readonly NetworkPreset[] = Object.freeze([
  {
    name: "Seed network (the demo's)",
    description: 'Two small conv + pool stages and a softmax, as in the ConvNetJS MNIST demo.',
    text: SEED_DEFINITION_TEXT,
  },
  {
    name: 'Wider two-conv',
    description: 'The same two stages with twice the filters (16 and 32): slower, usually more accurate.',
    text: snippet([
      INPUT,
      "{type:'conv', sx:5, filters:16, stride:1, pad:2, activation:'relu'}",
      "{type:'pool', sx:2, stride:2}",
      "{type:'conv', sx:5, filters:32, stride:1, pad:2, activation:'relu'}",
      "{type:'pool', sx:3, stride:3}",
      "{type:'softmax', num_classes:10}",
    ]),
  },
  {
    name: 'MLP',
    description: 'No convolutions: two fully connected layers of 100 relu neurons on the raw pixels.',
    text: mlp(INPUT, 10),
  },
  {
    name: 'SVM loss',
    description: 'The seed network with a multiclass hinge (SVM) loss in place of softmax.',
    text: SEED_DEFINITION_TEXT.replace("{type:'softmax', num_classes:10}", "{type:'svm', num_classes:10}"),
  },
]);

/** ConvNetJS's CIFAR-10 demo network and trainer, for 32x32 colour images in 10 classes. */
export const CIFAR10_DEFINITION_TEXT = snippet(
  [
    "{type:'input', out_sx:32, out_sy:32, out_depth:3}",
    "{type:'conv', sx:5, filters:16, stride:1, pad:2, activation:'relu'}",
    "{type:'pool', sx:2, stride:2}",
    "{type:'conv', sx:5, filters:20, stride:1, pad:2, activation:'relu'}",
    "{type:'pool', sx:2, stride:2}",
    "{type:'conv', sx:5, filters:20, stride:1, pad:2, activation:'relu'}",
    "{type:'pool', sx:2, stride:2}",
    "{type:'softmax', num_classes:10}",
  ],
  "{method:'adadelta', batch_size:4, l2_decay:0.0001}",
);

/** A definition with its `num_classes:10` (every one of them) set to the target's class count. */
function withClasses(text: string, classes: number): string {
  return text.replaceAll('num_classes:10', `num_classes:${classes}`);
}

function isMnistShape(target: PresetTarget): boolean {
  return target.channels === 1 && target.width === 28 && target.height === 28 && target.randomCrops;
}

function wholeImageInput(target: PresetTarget): string {
  return `{type:'input', out_sx:${target.width}, out_sy:${target.height}, out_depth:${target.channels}}`;
}

/** The seed network's two conv stages on the whole image; pooling by 2 twice keeps images of 4x4 and up at least one pixel wide. */
function twoConvOnWholeImage(target: PresetTarget): string {
  return snippet([
    wholeImageInput(target),
    "{type:'conv', sx:5, filters:8, stride:1, pad:2, activation:'relu'}",
    "{type:'pool', sx:2, stride:2}",
    "{type:'conv', sx:5, filters:16, stride:1, pad:2, activation:'relu'}",
    "{type:'pool', sx:2, stride:2}",
    `{type:'softmax', num_classes:${target.classes}}`,
  ]);
}

/** The smallest image side the two pooling stages of the whole-image conv network can take. */
const TWO_POOL_MIN_SIDE = 4;

/**
 * The presets for a dataset: MNIST's (with one output per class) for MNIST's shape,
 * ConvNetJS's CIFAR-10 network and smaller generic ones for 32x32 colour, and generic
 * networks on the whole image for any other shape.
 */
export function presetsFor(target: PresetTarget): readonly NetworkPreset[] {
  if (isMnistShape(target)) {
    return target.classes === 10 ? NETWORK_PRESETS : NETWORK_PRESETS.map((p) => ({ ...p, text: withClasses(p.text, target.classes) }));
  }
  const shape = `${target.width}x${target.height}x${target.channels}`;
  const presets: NetworkPreset[] = [];
  if (target.channels === 3 && target.width === 32 && target.height === 32) {
    presets.push({
      name: "ConvNetJS's CIFAR-10 network",
      description: 'Three conv + pool stages (16, 20, 20 filters) with adadelta, batch 4, as in the ConvNetJS CIFAR-10 demo.',
      text: withClasses(CIFAR10_DEFINITION_TEXT, target.classes),
    });
  }
  if (Math.min(target.width, target.height) >= TWO_POOL_MIN_SIDE) {
    presets.push({
      name: 'Small two-conv',
      description: `Two small conv + pool stages (8 and 16 filters) on the whole ${shape} image.`,
      text: twoConvOnWholeImage(target),
    });
  }
  presets.push({
    name: 'MLP',
    description: `No convolutions: two fully connected layers of 100 relu neurons on the ${shape} pixels.`,
    text: mlp(wholeImageInput(target), target.classes),
  });
  return presets;
}

/**
 * The network a dataset starts with: the demo's seed network for MNIST's shape (24x24
 * crops of 28x28 grayscale), ConvNetJS's CIFAR-10 network for 32x32 colour, and
 * otherwise the seed network's two conv stages on the whole image; always one output
 * per class.
 */
export function defaultDefinitionFor(target: PresetTarget): string {
  if (isMnistShape(target)) return withClasses(SEED_DEFINITION_TEXT, target.classes);
  if (target.channels === 3 && target.width === 32 && target.height === 32) {
    return withClasses(CIFAR10_DEFINITION_TEXT, target.classes);
  }
  return twoConvOnWholeImage(target);
}

/**
 * What a dataset asks of a network. Random crops go with MNIST's shape, as the data
 * layer's augmentationFor decides: 28x28 grayscale sets are cropped, others are not.
 */
export function presetTargetOf(dataset: { width: number; height: number; channels: number; classNames: readonly string[] }): PresetTarget {
  const { width, height, channels } = dataset;
  return { width, height, channels, classes: dataset.classNames.length, randomCrops: channels === 1 && width === 28 && height === 28 };
}
