import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SEED_DEFINITION_TEXT,
  SEED_LAYER_DEFS,
  SEED_TRAINER,
  parseDefinition,
  parseNetwork,
} from '../../../src/engine/parse';
import { DEFAULT_TRAINER, LIMITS, SpecError, paramCount, type SpecIssue } from '../../../src/engine/spec';

function issuesOf(run: () => unknown): SpecIssue[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    const err = e as SpecError;
    expect(err.message).toBe(err.issues[0]?.message);
    return err.issues;
  }
  throw new Error('expected a SpecError');
}

const TWO_LAYERS = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'softmax', num_classes:10});
`;

describe('the seed definition', () => {
  it('parses into the nine layers of the demo network', () => {
    const { layers, trainer } = parseNetwork(SEED_DEFINITION_TEXT);
    expect(layers.map((l) => l.type)).toEqual(['input', 'conv', 'relu', 'pool', 'conv', 'relu', 'pool', 'fc', 'softmax']);
    expect(layers.map((l) => `${l.out.sx}x${l.out.sy}x${l.out.depth}`)).toEqual([
      '24x24x1',
      '24x24x8',
      '24x24x8',
      '12x12x8',
      '12x12x16',
      '12x12x16',
      '4x4x16',
      '1x1x10',
      '1x1x10',
    ]);
    expect(layers.map(paramCount).filter((n) => n > 0)).toEqual([208, 3216, 2570]);
    expect(trainer).toEqual({ ...DEFAULT_TRAINER, method: 'adadelta', batch_size: 20, l2_decay: 0.001 });
    expect(trainer).toEqual(SEED_TRAINER);
  });

  it('is the same network as SEED_LAYER_DEFS', () => {
    expect(parseDefinition(SEED_DEFINITION_TEXT).layers).toEqual(SEED_LAYER_DEFS);
  });

  it("is the demo page's snippet with its 'adadelata' typo corrected", () => {
    // The snippet exactly as the original demo page shows it (copied from its text).
    const demo = readFileSync(new URL('../../fixtures/convnetjs-demo-snippet.txt', import.meta.url), 'utf8');
    expect(demo).toContain("method:'adadelata'");
    expect(demo.replace("'adadelata'", "'adadelta'")).toBe(SEED_DEFINITION_TEXT);
  });

  it("rejects the demo's original text at the 'adadelata' typo, with its line and column", () => {
    const issues = issuesOf(() => parseNetwork(SEED_DEFINITION_TEXT.replace("'adadelta'", "'adadelata'")));
    expect(issues).toEqual([
      {
        message: "line 12: trainer: method 'adadelata' is not a trainer method; did you mean 'adadelta'?",
        field: 'method',
        line: 12,
        column: 42,
      },
    ]);
  });
});

describe('parseDefinition, ConvNetJS snippet form', () => {
  it('accepts var/let/const, comments, trailing commas, double quotes and missing semicolons', () => {
    const text = `// a small network
var layer_defs = [];
/* the input:
   24x24 grey */
layer_defs.push({type:"input", out_sx:24, out_sy:24, out_depth:1,});
layer_defs.push({
  type: 'fc', // hidden
  num_neurons: 20, activation: "tanh",
})
let net = new convnetjs.Net()
net.makeLayers(layer_defs)
layer_defs; // (nothing)
`;
    // A bare expression statement is not one of the recognised shapes.
    expect(issuesOf(() => parseDefinition(text))[0]!.message).toMatch(/^line 12, column 1: unexpected statement 'layer_defs'/);
    const accepted = text.replace('layer_defs; // (nothing)\n', 'const trainer = new convnetjs.Trainer(net, {learning_rate: 0.1, momentum: 0,},);\n');
    const parsed = parseDefinition(accepted.replace("layer_defs.push({\n", "layer_defs.push({type:'dropout'}, {\n"));
    expect(parsed.layers).toEqual([
      { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
      { type: 'dropout' },
      { type: 'fc', num_neurons: 20, activation: 'tanh' },
    ]);
    expect(parsed.trainer).toEqual({ learning_rate: 0.1, momentum: 0 });
  });

  it('accepts the layer array written out in one literal', () => {
    const text = `const layer_defs = [
  {type:'input', out_sx:28, out_sy:28, out_depth:1},
  {type:'conv', sx:5, filters:4, activation:'relu'},  // 24x24x4
  {type:'softmax', num_classes:10},
];
const net = new convnetjs.Net(); net.makeLayers(layer_defs);
`;
    const { layers, trainer } = parseNetwork(text);
    expect(layers.map((l) => l.type)).toEqual(['input', 'conv', 'relu', 'fc', 'softmax']);
    expect(layers[1]!.out).toEqual({ sx: 24, sy: 24, depth: 4 });
    expect(trainer).toEqual(DEFAULT_TRAINER);
  });

  it('accepts a trainer without the net statements, which add nothing to the definition', () => {
    const text = `${TWO_LAYERS}trainer = new convnetjs.SGDTrainer(net, {batch_size: 4});`;
    expect(parseNetwork(text).trainer.batch_size).toBe(4);
    expect(() => parseDefinition(`${TWO_LAYERS}trainer = new convnetjs.SGDTrainer({batch_size: 4});`)).toThrow(
      /the trainer's first argument must be the network/,
    );
  });

  it('uses the ConvNetJS trainer defaults when there is no trainer statement', () => {
    expect(parseNetwork(TWO_LAYERS).trainer).toEqual(DEFAULT_TRAINER);
  });

  it('records where each layer and each of its fields is written', () => {
    const { positions } = parseDefinition(SEED_DEFINITION_TEXT);
    expect(positions.layers).toHaveLength(6);
    expect(positions.layers[4]).toMatchObject({ line: 6, column: 17 });
    expect(positions.layers[4]!.fields.stride).toEqual({ line: 6, column: 37 });
    expect(positions.trainer!.fields.l2_decay).toEqual({ line: 12, column: 76 });
  });

  it('points at a statement it does not know, by line and column', () => {
    const issues = issuesOf(() => parseDefinition(`${TWO_LAYERS}\n  alert(document.cookie);\n`));
    expect(issues).toEqual([
      {
        message:
          "line 5, column 3: unexpected statement 'alert(document.cookie)'; expected layer_defs = [], layer_defs.push({...}), " +
          'net = new convnetjs.Net(), net.makeLayers(layer_defs) or trainer = new convnetjs.SGDTrainer(net, {...})',
        line: 5,
        column: 3,
      },
    ]);
  });

  it.each([
    ['an assignment of an expression', 'x = 1 + 2;', 1, 1, /unexpected statement 'x = 1 \+ 2'/],
    [
      'an expression continuing a statement',
      'layer_defs = [].concat(more);',
      1,
      16,
      /unexpected '\.concat\(more\)' after the statement; end the statement with ';'/,
    ],
    ['two statements on a line without a semicolon', 'layer_defs = [] layer_defs.push({type:"relu"})', 1, 17, /after the statement/],
    ['an unknown constructor', 'net = new Function("return 1");', 1, 11, /unknown constructor 'Function'/],
    ['a call on an undeclared array', "layers.push({type:'input'});", 1, 1, /'layers' is not a declared layer array; start with layers = \[\];/],
    [
      'a push onto a misspelt array name',
      "layer_defs = [];\nlayer_def.push({type:'input'});",
      2,
      1,
      /'layer_def' is not a declared layer array; did you mean 'layer_defs'\?/,
    ],
    ['a push of a variable', 'layer_defs = [];\nlayer_defs.push(def);', 2, 17, /push takes layer objects like/],
    ['an expression inside a literal', "layer_defs = [];\nlayer_defs.push({type:'input', out_sx: 12*2});", 2, 42, /invalid character/],
    [
      'a missing comma',
      "layer_defs = [];\nlayer_defs.push({type:'input', out_sx:24 out_sy:24});",
      2,
      42,
      /^line 2, column 42: invalid character 'o'; check for a missing comma/,
    ],
    ['a mismatched bracket', "layer_defs = [];\nlayer_defs.push({type:'input');", 2, 30, /'\)' does not match the '\{' before it; expected '\}'/],
    ['an unclosed literal', "layer_defs = [];\nlayer_defs.push({type:'input'", 2, 17, /this '\{' is never closed; add '\}'/],
    ['an unclosed string', "layer_defs = [];\nlayer_defs.push({type:'input});", 2, 23, /this string is never closed/],
    ['an unclosed comment', 'layer_defs = [];\n/* note', 2, 1, /this comment is never closed/],
    [
      'a push after makeLayers',
      `${TWO_LAYERS}net = new convnetjs.Net();\nnet.makeLayers(layer_defs);\nlayer_defs.push({type:'relu'});`,
      6,
      1,
      /this push comes after makeLayers on line 5, so it would not reach the network/,
    ],
    ['makeLayers on an undeclared net', `${TWO_LAYERS}net.makeLayers(layer_defs);`, 4, 1, /'net' is not a declared network/],
    [
      'a trainer for an unknown net',
      `${TWO_LAYERS}net = new convnetjs.Net();\ntrainer = new convnetjs.SGDTrainer(nett, {});`,
      5,
      1,
      /the trainer's first argument must be the network, e.g. new convnetjs.SGDTrainer\(net, \{\.\.\.\}\)/,
    ],
    ['a second layer array', `${TWO_LAYERS}layer_defs = [];`, 4, 1, /already declared on line 1/],
    ['no layers at all', '// nothing here\n', 2, 1, /no layers found; start with layer_defs = \[\];/],
  ])('rejects %s', (_name, text, line, column, says) => {
    const issues = issuesOf(() => parseDefinition(text));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line, column });
    expect(issues[0]!.message).toMatch(new RegExp(`^line ${line}, column ${column}: `));
    expect(issues[0]!.message).toMatch(says);
  });

  it('never evaluates anything it reads', () => {
    const marker = globalThis as { pwned?: boolean };
    const texts = [
      'globalThis.pwned = true;',
      "layer_defs = [];\nlayer_defs.push({type: (globalThis.pwned = true, 'input')});",
      'layer_defs = (() => { globalThis.pwned = true; return []; })();',
    ];
    for (const text of texts) expect(() => parseDefinition(text)).toThrow(SpecError);
    expect(marker.pwned).toBeUndefined();
  });
});

describe('parseDefinition, JSON form', () => {
  const json = JSON.stringify(
    {
      layers: [
        { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
        { type: 'fc', num_neurons: 16, activation: 'relu' },
        { type: 'softmax', num_classes: 10 },
      ],
      trainer: { method: 'adam', learning_rate: 0.001 },
    },
    null,
    2,
  );

  it('reads {"layers": [...], "trainer": {...}}', () => {
    const { layers, trainer } = parseNetwork(json);
    expect(layers.map((l) => l.type)).toEqual(['input', 'fc', 'relu', 'fc', 'softmax']);
    expect(trainer).toEqual({ ...DEFAULT_TRAINER, method: 'adam', learning_rate: 0.001, eps: 1e-8 });
  });

  it('reads a bare array of layers, and JSON5 niceties', () => {
    const text = "[ {type:'input', out_sx:4, out_sy:4, out_depth:1}, // in\n {type:'svm', num_classes:2,}, ]";
    expect(parseNetwork(text).layers.map((l) => l.type)).toEqual(['input', 'fc', 'svm']);
  });

  it('points layer and trainer problems at their line', () => {
    const bad = json.replace('"num_classes"', '"num_clases"').replace('"adam"', '"adamm"');
    const issues = issuesOf(() => parseNetwork(bad));
    expect(issues).toEqual([
      {
        message: "line 16: layer 2 (softmax): unknown field 'num_clases'; did you mean 'num_classes'?",
        layerIndex: 2,
        layerType: 'softmax',
        field: 'num_clases',
        line: 16,
        column: 7,
      },
      {
        message: "line 20: trainer: method 'adamm' is not a trainer method; did you mean 'adam'?",
        field: 'method',
        line: 20,
        column: 5,
      },
    ]);
  });

  it.each([
    ['an unknown top-level key', '{"layer": []}', /^line 1, column 2: unknown key 'layer'; did you mean 'layers'\?/],
    ['layers that are not an array', '{"layers": {}}', /'layers' must be an array/],
    ['a trainer that is not an object', '{"layers": [], "trainer": 3}', /'trainer' must be an object/],
    ['text after the JSON', '{"layers": []} x', /^line 1, column 16: unexpected text after the JSON definition/],
    ['a JSON syntax error', '{\n  "layers": [\n    {"type": "input",, }\n  ]\n}', /^line 3, column 22: invalid character ','/],
  ])('rejects %s', (_name, text, says) => {
    expect(issuesOf(() => parseDefinition(text))[0]!.message).toMatch(says);
  });
});

describe('parseNetwork', () => {
  it('gives the line of the field at fault in a snippet', () => {
    const text = SEED_DEFINITION_TEXT.replace("{type:'pool', sx:3, stride:3}", "{type:'pool', sx:3, stride:0}");
    const issues = issuesOf(() => parseNetwork(text));
    expect(issues).toEqual([
      {
        message: 'line 6: layer 4 (pool): stride 0 is out of range; use a whole number, at least 1',
        layerIndex: 4,
        layerType: 'pool',
        field: 'stride',
        line: 6,
        column: 37,
      },
    ]);
  });

  it('reports layer and trainer problems together', () => {
    const text = `${TWO_LAYERS.replace('num_classes:10', 'num_classes:0')}net = new convnetjs.Net();\ntrainer = new convnetjs.SGDTrainer(net, {batch_size: 0});`;
    expect(issuesOf(() => parseNetwork(text)).map((i) => [i.line, i.field])).toEqual([
      [3, 'num_classes'],
      [5, 'batch_size'],
    ]);
  });

  it('rejects text over 100 kB before reading it', () => {
    const padding = `// ${'x'.repeat(LIMITS.maxDefinitionBytes)}\n`;
    const issues = issuesOf(() => parseNetwork(SEED_DEFINITION_TEXT + padding));
    expect(issues[0]!.message).toMatch(/larger than the limit of 100,000 bytes \(100 kB\)/);
  });

  it('counts bytes, not characters, against the 100 kB cap', () => {
    // 40,000 three-byte characters: 120 kB in 40,000 string units.
    const comment = `// ${'€'.repeat(40_000)}\n`;
    expect(comment.length).toBeLessThan(LIMITS.maxDefinitionBytes);
    expect(() => parseNetwork(SEED_DEFINITION_TEXT + comment)).toThrow(/larger than the limit/);
    // Just under the cap is read normally.
    const small = `// ${'€'.repeat(30_000)}\n`;
    expect(parseNetwork(SEED_DEFINITION_TEXT + small).layers).toHaveLength(9);
  });
});
