import { beforeAll, describe, expect, it } from 'vitest';
import type { onnx } from 'onnx-proto';
import { fillCenterCrop } from '../../../src/data/augment';
import { loadMnist, type MnistData } from '../../../src/data/node-loader';
import { Net } from '../../../src/engine/net';
import { exportOnnx, OnnxExportError } from '../../../src/engine/onnx';
import { protos } from '../../../src/engine/onnx/proto';
import { parseNetwork } from '../../../src/engine/parse';
import { NETWORK_PRESETS } from '../../../src/engine/presets';
import { Rng } from '../../../src/engine/rng';
import { Volume } from '../../../src/engine/volume';
import { argmaxRows, centerCropBatch, maxAbsDifference, ortSession, runOrt, trainedNet } from './ort-helpers';

let mnist: MnistData;

beforeAll(() => {
  mnist = loadMnist();
});

const TEST_COUNT = 10_000;
/** Images whose outputs are compared value by value (every image's class is compared). */
const COMPARED_OUTPUTS = 500;
const BATCH = 500;

describe.each(NETWORK_PRESETS.map((p) => [p.name, p.text]))('ONNX export of the preset %s', (_name, text) => {
  it('gives the engine outputs within 1e-5 and the same class on all 10k test images in ONNX Runtime', async () => {
    const net = trainedNet(text, mnist.train, 600);
    const session = await ortSession(exportOnnx(net, { definitionText: text }));
    const { sx, sy } = net.inputShape;
    const outputs = net.outputShape.depth;
    const crop = new Volume(sx, sy, 1);
    const engineClasses: number[] = [];
    const ortClasses: number[] = [];
    let worst = 0;
    for (let start = 0; start < TEST_COUNT; start += BATCH) {
      const ortOut = await runOrt(session, centerCropBatch(mnist.test, start, BATCH, sx, sy), [BATCH, 1, sy, sx]);
      ortClasses.push(...argmaxRows(ortOut, outputs));
      for (let i = 0; i < BATCH; i++) {
        fillCenterCrop(crop, mnist.test, start + i);
        const engineOut = net.forward(crop, false).w;
        engineClasses.push(net.getPrediction());
        if (start + i < COMPARED_OUTPUTS) {
          worst = Math.max(worst, maxAbsDifference(engineOut, ortOut.subarray(i * outputs, (i + 1) * outputs)));
        }
      }
    }
    expect(worst).toBeLessThan(1e-5);
    expect(ortClasses).toEqual(engineClasses);
    // The trained nets are far from uniform, so equal classes are a real check.
    const correct = engineClasses.filter((c, i) => c === mnist.test.labels[i]).length;
    expect(correct / TEST_COUNT).toBeGreaterThan(0.5);
  });
});

/** Every layer type and the border cases of the windows, in one net per loss. */
const EVERY_LAYER = (loss: string) => `[
  {type:'input', out_sx:24, out_sy:24, out_depth:1},
  {type:'conv', sx:5, sy:3, filters:5, stride:2, pad:1, activation:'tanh'},
  {type:'lrn', k:1.5, n:3, alpha:0.3, beta:0.75},
  {type:'pool', sx:3, stride:2, pad:1},
  {type:'maxout', group_size:2},
  {type:'conv', sx:3, filters:6, stride:1, pad:1, activation:'sigmoid'},
  {type:'dropout', drop_prob:0.3},
  {type:'pool', sx:2, stride:3},
  {type:'fc', num_neurons:9, activation:'maxout', group_size:3},
  {type:'fc', num_neurons:7, activation:'relu'},
  ${loss}
]`;

describe('ONNX export of every layer type', () => {
  it.each([
    ['softmax', "{type:'softmax', num_classes:10}"],
    ['svm', "{type:'svm', num_classes:10}"],
    ['regression', "{type:'regression', num_neurons:4}"],
  ])('matches the engine with a %s head', async (_loss, lossDef) => {
    const { layers } = parseNetwork(EVERY_LAYER(lossDef));
    expect(layers.map((l) => l.type)).toContain('maxout');
    const net = new Net(layers, new Rng(7));
    const session = await ortSession(exportOnnx(net));
    const count = 50;
    const batch = centerCropBatch(mnist.test, 0, count, 24, 24);
    const ortOut = await runOrt(session, batch, [count, 1, 24, 24]);
    const outputs = net.outputShape.depth;
    const x = new Volume(24, 24, 1);
    for (let i = 0; i < count; i++) {
      x.w.set(batch.subarray(i * 576, (i + 1) * 576));
      const engineOut = net.forward(x, false).w;
      expect(maxAbsDifference(engineOut, ortOut.subarray(i * outputs, (i + 1) * outputs))).toBeLessThan(1e-5);
    }
  });

  it('pools a padded border over in-bounds cells only, as the engine does', async () => {
    // All inputs negative: a zero from the padding would win if it were a candidate.
    const { layers } = parseNetwork(`[
      {type:'input', out_sx:5, out_sy:5, out_depth:2},
      {type:'pool', sx:3, stride:2, pad:1},
      {type:'regression', num_neurons:3}
    ]`);
    const net = new Net(layers, new Rng(3));
    const x = new Volume(5, 5, 2);
    const rng = new Rng(4);
    for (let i = 0; i < x.w.length; i++) x.w[i] = -1 - rng.random();
    const nchw = new Float32Array(50);
    for (let y = 0; y < 5; y++) for (let c = 0; c < 5; c++) for (let d = 0; d < 2; d++) nchw[(d * 5 + y) * 5 + c] = x.get(c, y, d);
    const ortOut = await runOrt(await ortSession(exportOnnx(net)), nchw, [1, 2, 5, 5]);
    expect(maxAbsDifference(net.forward(x, false).w, ortOut)).toBeLessThan(1e-6);
  });
});

describe('ONNX model contents', () => {
  const seed = NETWORK_PRESETS[0];

  function decoded(): onnx.ModelProto {
    const net = new Net(parseNetwork(seed.text).layers, new Rng(1));
    return protos.ModelProto.decode(exportOnnx(net, { definitionText: seed.text, classNames: ['a', 'b'] }));
  }

  it('is opset 17 with an NCHW input of a free batch size', () => {
    const model = decoded();
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    const dims = model.graph?.input?.[0].type?.tensorType?.shape?.dim ?? [];
    expect(dims.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['N', 1, 24, 24]);
    expect(model.graph?.node?.map((n) => n.opType)).toEqual([
      'Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Softmax',
    ]);
  });

  it('writes the preprocessing, class names and definition into the metadata', () => {
    const props = Object.fromEntries(decoded().metadataProps.map((p) => [p.key, p.value]));
    expect(props.preprocessing).toContain('p/255 - 0.5');
    expect(props.preprocessing).toContain('center 24x24 crop of the 28x28 image (columns 2..25, rows 2..25)');
    expect(JSON.parse(props.class_names)).toEqual(['a', 'b']);
    expect(props.definition).toBe(seed.text);
    expect(props.convnetjs_loss).toBe('softmax');
  });

  it('writes a definition that parses back to the same layers when none is given', () => {
    const { layers } = parseNetwork(EVERY_LAYER("{type:'svm', num_classes:10}"));
    const model = protos.ModelProto.decode(exportOnnx(new Net(layers, new Rng(1))));
    const definition = model.metadataProps.find((p) => p.key === 'definition')?.value ?? '';
    const summary = (specs: typeof layers) => specs.map((l) => [l.type, l.out]);
    expect(summary(parseNetwork(definition).layers)).toEqual(summary(layers));
  });

  it('refuses a layer it cannot express, naming it, and returns nothing', () => {
    const net = new Net(parseNetwork(seed.text).layers, new Rng(1));
    const odd = { ...net.layers[2], spec: { ...net.layers[2].spec, type: 'spline' } };
    const layers = [...net.layers.slice(0, 2), odd, ...net.layers.slice(3)] as unknown as Net['layers'];
    expect(() => exportOnnx({ layers })).toThrow(OnnxExportError);
    expect(() => exportOnnx({ layers })).toThrow(/layer 2 \(spline\).*nothing was written/);
  });
});
