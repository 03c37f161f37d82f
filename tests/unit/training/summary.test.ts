import { describe, expect, it } from 'vitest';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { definitionText } from '../../../src/engine/definition-text';
import { summarizeNetwork } from '../../../src/training/summary';

describe('network summary', () => {
  it('describes the seed network with shapes, windows and parameter formulas', () => {
    const { layers, trainer } = parseNetwork(SEED_DEFINITION_TEXT);
    const summary = summarizeNetwork(layers, trainer, SEED_DEFINITION_TEXT);
    const rows = summary.layers.map(
      (l) => `${l.type} ${l.out.sx}x${l.out.sy}x${l.out.depth} ${l.window ? `${l.window.sx}x${l.window.sy}/${l.window.stride}` : '-'} ${l.paramFormula ?? '-'}`,
    );
    expect(rows).toEqual([
      'input 24x24x1 - -',
      'conv 24x24x8 5x5/1 8x5x5x1+8 = 208',
      'relu 24x24x8 - -',
      'pool 12x12x8 2x2/2 -',
      'conv 12x12x16 5x5/1 16x5x5x8+16 = 3216',
      'relu 12x12x16 - -',
      'pool 4x4x16 3x3/3 -',
      'fc 1x1x10 - 10x256+10 = 2570',
      'softmax 1x1x10 - -',
    ]);
    expect(summary.totalParams).toBe(5994);
    expect(summary.layers[1].filters).toBe(8);
    expect(summary.layers[7].filters).toBe(10);
    expect(summary.trainer).toMatchObject({ method: 'adadelta', batch_size: 20, l2_decay: 0.001 });
  });

  it('formulas use the real sizes for non-square filters', () => {
    const text = `{"layers":[{"type":"input","out_sx":28,"out_sy":28,"out_depth":1},
      {"type":"conv","sx":3,"sy":5,"filters":6,"stride":2,"pad":1},
      {"type":"fc","num_neurons":7,"activation":"tanh"},
      {"type":"softmax","num_classes":10}],"trainer":{}}`;
    const { layers, trainer } = parseNetwork(text);
    const summary = summarizeNetwork(layers, trainer, text);
    expect(summary.layers[1].paramFormula).toBe('6x3x5x1+6 = 96');
    expect(summary.layers[1].window).toEqual({ sx: 3, sy: 5, stride: 2, pad: 1 });
    const fcIn = layers[2].in;
    expect(summary.layers[2].paramFormula).toBe(`7x${fcIn.sx * fcIn.sy * fcIn.depth}+7 = ${7 * fcIn.sx * fcIn.sy * fcIn.depth + 7}`);
  });
});

describe('definitionText', () => {
  const cases: Record<string, string> = {
    seed: SEED_DEFINITION_TEXT,
    varied: `{"layers":[
      {"type":"input","out_sx":28,"out_sy":28,"out_depth":1},
      {"type":"conv","sx":3,"sy":5,"filters":6,"stride":2,"pad":1,"bias_pref":0.3,"l2_decay_mul":0.5},
      {"type":"lrn","k":1,"n":3,"alpha":0.1,"beta":0.75},
      {"type":"pool","sx":2,"stride":1,"pad":1},
      {"type":"fc","num_neurons":12,"activation":"maxout","group_size":3,"drop_prob":0.25},
      {"type":"relu"},
      {"type":"fc","num_neurons":8,"activation":"sigmoid","l1_decay_mul":0.2},
      {"type":"tanh"},
      {"type":"svm","num_classes":10}],
      "trainer":{"method":"adam","learning_rate":0.002,"batch_size":8,"eps":1e-7}}`,
    regression: `{"layers":[{"type":"input","out_sx":24,"out_sy":24,"out_depth":1},
      {"type":"fc","num_neurons":10,"activation":"relu","bias_pref":0},
      {"type":"regression","num_neurons":10}],"trainer":{"method":"sgd","momentum":0}}`,
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`writes a snippet that parses back to the same layers and trainer (${name})`, () => {
      const original = parseNetwork(text);
      const written = definitionText(original.layers, original.trainer);
      expect(written).toMatch(/^layer_defs = \[\];/);
      const reparsed = parseNetwork(written);
      const strip = (ls: typeof original.layers) => ls.map(({ sourceIndex: _s, ...rest }) => rest);
      expect(strip(reparsed.layers)).toEqual(strip(original.layers));
      expect(reparsed.trainer).toEqual(original.trainer);
    });
  }

  it('folds the fc before a loss and relu activations the way a person writes them', () => {
    const { layers, trainer } = parseNetwork(SEED_DEFINITION_TEXT);
    const written = definitionText(layers, trainer);
    expect(written).toContain("layer_defs.push({type:'conv', sx:5, filters:8, stride:1, pad:2, activation:'relu'});");
    expect(written).toContain("layer_defs.push({type:'softmax', num_classes:10});");
    expect(written).not.toContain("type:'fc'");
    expect(written).toContain("trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:20, l2_decay:0.001});");
  });
});
