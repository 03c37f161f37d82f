// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import { Profiler } from 'react';
import { describe, expect, it } from 'vitest';
import type { LayerView, LayerSummary } from '../../src/training/protocol';
import { NetworkView } from '../../src/ui/network-view/NetworkView';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

/** A view whose values run linearly from `lo` to `hi`, so the ranges are known. */
function viewFor(layer: LayerSummary, lo: number, hi: number): LayerView {
  const n = layer.out.sx * layer.out.sy * layer.out.depth;
  const ramp = (a: number, b: number, length: number) =>
    Float32Array.from({ length }, (_, i) => a + ((b - a) * i) / Math.max(1, length - 1));
  const weightCount = layer.type === 'conv' ? layer.paramCount - (layer.filters ?? 0) : 0;
  return {
    index: layer.index,
    activations: ramp(lo, hi, n),
    activationGrads: ramp(-0.25, 0.125, n),
    activationRange: { min: lo, max: hi },
    gradientRange: { min: -0.25, max: 0.125 },
    weights: weightCount > 0 ? ramp(-1, 1, weightCount) : null,
    weightGrads: weightCount > 0 ? ramp(-0.01, 0.01, weightCount) : null,
  };
}

function panel(title: string): HTMLElement {
  return screen.getByRole('article', { name: title });
}

describe('network view', () => {
  it('titles each layer of the seed network as the original demo did, with parameter formulas', () => {
    const { backend } = renderWithDashboard(<NetworkView />);
    startSession(backend);
    const titles = screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent);
    expect(titles).toEqual([
      'input (24x24x1)',
      'conv (24x24x8)',
      'relu (24x24x8)',
      'pool (12x12x8)',
      'conv (12x12x16)',
      'relu (12x12x16)',
      'pool (4x4x16)',
      'fc (1x1x10)',
      'softmax (1x1x10)',
    ]);
    expect(within(panel('conv (24x24x8)')).getByText('parameters: 8x5x5x1+8 = 208')).toBeTruthy();
    expect(within(panel('conv (12x12x16)')).getByText('parameters: 16x5x5x8+16 = 3216')).toBeTruthy();
    expect(within(panel('fc (1x1x10)')).getByText('parameters: 10x256+10 = 2570')).toBeTruthy();
    expect(within(panel('relu (24x24x8)')).queryByText(/parameters:/)).toBeNull();
    expect(within(panel('conv (24x24x8)')).getByText('filter size 5x5x1, stride 1')).toBeTruthy();
    expect(within(panel('conv (12x12x16)')).getByText('filter size 5x5x8, stride 1')).toBeTruthy();
    expect(within(panel('conv (24x24x8)')).getByText('padding 2')).toBeTruthy();
    expect(within(panel('pool (12x12x8)')).getByText('pooling size 2x2, stride 2')).toBeTruthy();
    expect(within(panel('pool (12x12x8)')).queryByText(/padding/)).toBeNull();
    expect(within(panel('pool (4x4x16)')).getByText('pooling size 3x3, stride 3')).toBeTruthy();
    // Before any view the panels already hold their (empty) pictures at full size, so
    // nothing on the page moves when the first ones arrive.
    const weights = within(panel('conv (24x24x8)')).getByRole('img', { name: 'conv (24x24x8) weights, 8 filters of 5x5x1' });
    expect([(weights as HTMLCanvasElement).width, (weights as HTMLCanvasElement).height]).toEqual([8 * 22 + 7 * 6, 22]);
    expect(within(panel('conv (24x24x8)')).getByText('max activation: –, min: –')).toBeTruthy();
  });

  it('asks for the visible layers and shows their ranges and every channel', async () => {
    const { backend } = renderWithDashboard(<NetworkView />);
    const network = networkSummary();
    backend.answers.layerViews = (indices) =>
      indices.map((i) => viewFor(network.layers[i]!, -1.43224, 2.47644 + i));
    startSession(backend, true, network);

    await waitFor(() => expect(within(panel('conv (24x24x8)')).getByText('max activation: 3.47644, min: -1.43224')).toBeTruthy());
    // Without IntersectionObserver (jsdom) every panel counts as on screen.
    expect(backend.callsTo('layerViews')[0]).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8]]);

    const conv1 = panel('conv (24x24x8)');
    expect(within(conv1).getByText('max gradient: 0.125, min: -0.25')).toBeTruthy();
    // Each group is one canvas, found by its name; its size says how the tiles are laid out.
    const size = (el: HTMLElement, name: string) => {
      const canvas = within(el).getByRole('img', { name }) as HTMLCanvasElement;
      return [canvas.width, canvas.height];
    };
    // 8 channels of 24x24 at 2x in one row, each in a 1 px frame, 2 px apart.
    expect(size(conv1, 'conv (24x24x8) activations, 8 channels')).toEqual([8 * 50 + 7 * 2, 50]);
    expect(size(conv1, 'conv (24x24x8) activation gradients, 8 channels')).toEqual([8 * 50 + 7 * 2, 50]);
    // 8 filters of 5x5x1 at 4x, framed, 6 px apart.
    expect(size(conv1, 'conv (24x24x8) weights, 8 filters of 5x5x1')).toEqual([8 * 22 + 7 * 6, 22]);
    expect(size(conv1, 'conv (24x24x8) weight gradients, 8 filters of 5x5x1')).toEqual([8 * 22 + 7 * 6, 22]);
    expect(within(conv1).getAllByRole('img')).toHaveLength(4);
    // 16 channels of 12x12: two rows of 8 square tiles, never stretched strips.
    const conv2 = panel('conv (12x12x16)');
    expect(size(conv2, 'conv (12x12x16) activations, 16 channels')).toEqual([8 * 26 + 7 * 2, 2 * 26 + 2]);
    // 16 filters, each its 8 input channels side by side (1 px apart) in a frame: two filters a row.
    expect(size(conv2, 'conv (12x12x16) weights, 16 filters of 5x5x8')).toEqual([2 * (8 * 20 + 7 + 2) + 6, 8 * 22 + 7 * 6]);

    // 1x1x10 layers are one framed strip of ten cells at 10x.
    const fc = panel('fc (1x1x10)');
    expect(size(fc, 'fc (1x1x10) activations, 10 values')).toEqual([102, 12]);
    expect(size(panel('softmax (1x1x10)'), 'softmax (1x1x10) activation gradients, 10 values')).toEqual([102, 12]);
    expect(within(fc).getByText(/Weights of fully connected layers are not drawn/)).toBeTruthy();
    // The whole seed network: 2 groups per layer, 2 more for each of the two 5x5 conv layers.
    expect(screen.getAllByRole('img')).toHaveLength(9 * 2 + 2 * 2);
  });

  it('does not re-render the layer panels when only the statistics change', async () => {
    let commits = 0;
    const { backend } = renderWithDashboard(
      <Profiler id="network-view" onRender={() => commits++}>
        <NetworkView />
      </Profiler>,
    );
    const network = networkSummary();
    backend.answers.layerViews = (indices) => indices.map((i) => viewFor(network.layers[i]!, 0, 1));
    startSession(backend, true, network);
    await waitFor(() => expect(within(panel('conv (24x24x8)')).getByText('max activation: 1, min: 0')).toBeTruthy());
    const before = commits;
    for (let i = 1; i <= 5; i++) act(() => backend.emitUpdate({ stats: { examplesSeen: i * 100 } }));
    expect(commits).toBe(before);
  });

  it('explains why 3x3 filters are not drawn', async () => {
    const text = `layer_defs = [];
layer_defs.push({type:'input', out_sx:8, out_sy:8, out_depth:1});
layer_defs.push({type:'conv', sx:3, filters:2, stride:1, pad:1});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.SGDTrainer(net, {method:'sgd'});`;
    const { backend } = renderWithDashboard(<NetworkView />);
    const network = networkSummary(text);
    backend.answers.layerViews = (indices) => indices.map((i) => viewFor(network.layers[i]!, 0, 1));
    startSession(backend, true, network);
    const conv = panel('conv (8x8x2)');
    await waitFor(() => expect(within(conv).getByText(/Filters of 3x3 or smaller are not drawn/)).toBeTruthy());
    expect(within(conv).getByText('parameters: 2x3x3x1+2 = 20')).toBeTruthy();
    expect(within(conv).queryByText('Weights', { selector: 'figcaption' })).toBeNull();
  });

  it('rebuilds the panels when the network changes', () => {
    const { backend } = renderWithDashboard(<NetworkView />);
    startSession(backend);
    expect(screen.getAllByRole('article')).toHaveLength(9);
    startSession(
      backend,
      true,
      networkSummary(`layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'fc', num_neurons:20, activation:'tanh'});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.SGDTrainer(net, {method:'adam'});`),
    );
    expect(screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual([
      'input (24x24x1)',
      'fc (1x1x20)',
      'tanh (1x1x20)',
      'fc (1x1x10)',
      'softmax (1x1x10)',
    ]);
    expect(within(panel('fc (1x1x20)')).getByText('parameters: 20x576+20 = 11540')).toBeTruthy();
  });
});
