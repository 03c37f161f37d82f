/**
 * Ready-made network definitions for the editor's preset picker, written in the same
 * ConvNetJS snippet form a person types, so loading one shows exactly what will be built.
 * Every preset takes the demo's 24x24x1 crops and ends in 10 classes, so each one trains
 * on MNIST as it is (tests/unit/engine/presets.test.ts checks that).
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

/** The trainer line of the demo, shared so the presets differ only in their layers. */
const SEED_TRAINER_LINES = `net = new convnetjs.Net();
net.makeLayers(layer_defs);

trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:20, l2_decay:0.001});
`;

function snippet(layerLines: readonly string[]): string {
  return ['layer_defs = [];', ...layerLines.map((l) => `layer_defs.push(${l});`), '', SEED_TRAINER_LINES].join('\n');
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
    text: snippet([
      INPUT,
      "{type:'fc', num_neurons:100, activation:'relu'}",
      "{type:'fc', num_neurons:100, activation:'relu'}",
      "{type:'softmax', num_classes:10}",
    ]),
  },
  {
    name: 'SVM loss',
    description: 'The seed network with a multiclass hinge (SVM) loss in place of softmax.',
    text: SEED_DEFINITION_TEXT.replace("{type:'softmax', num_classes:10}", "{type:'svm', num_classes:10}"),
  },
]);

/** ConvNetJS's CIFAR-10 demo network and trainer, for 32x32 colour images in 10 classes. */
export const CIFAR10_DEFINITION_TEXT = `layer_defs = [];
layer_defs.push({type:'input', out_sx:32, out_sy:32, out_depth:3});
layer_defs.push({type:'conv', sx:5, filters:16, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:2, stride:2});
layer_defs.push({type:'conv', sx:5, filters:20, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:2, stride:2});
layer_defs.push({type:'conv', sx:5, filters:20, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:2, stride:2});
layer_defs.push({type:'softmax', num_classes:10});

net = new convnetjs.Net();
net.makeLayers(layer_defs);

trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:4, l2_decay:0.0001});
`;

/**
 * The network a dataset starts with: the demo's seed network for MNIST's shape (24x24
 * crops of 28x28 grayscale), ConvNetJS's CIFAR-10 network for 32x32 colour, and
 * otherwise the seed network's two conv stages on the whole image; always one output
 * per class.
 */
export function defaultDefinitionFor(target: PresetTarget): string {
  const classes = `num_classes:${target.classes}`;
  if (target.channels === 1 && target.width === 28 && target.height === 28 && target.randomCrops) {
    return SEED_DEFINITION_TEXT.replace('num_classes:10', classes);
  }
  if (target.channels === 3 && target.width === 32 && target.height === 32) {
    return CIFAR10_DEFINITION_TEXT.replace('num_classes:10', classes);
  }
  // Pooling by 2 twice keeps small images (down to 4x4) at least one pixel wide.
  return snippet([
    `{type:'input', out_sx:${target.width}, out_sy:${target.height}, out_depth:${target.channels}}`,
    "{type:'conv', sx:5, filters:8, stride:1, pad:2, activation:'relu'}",
    "{type:'pool', sx:2, stride:2}",
    "{type:'conv', sx:5, filters:16, stride:1, pad:2, activation:'relu'}",
    "{type:'pool', sx:2, stride:2}",
    `{type:'softmax', ${classes}}`,
  ]);
}
