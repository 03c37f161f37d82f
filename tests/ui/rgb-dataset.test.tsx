// @vitest-environment jsdom
/**
 * The panels that follow the dataset, with a session on a 3-class RGB set whose class
 * names are long: colour tiles, names in the grid, the bars and the confusion matrix,
 * the draw pad hidden, presets and the fit check for that shape. MNIST's own look is
 * covered by the panels' existing tests.
 */
import { act, screen, within } from '@testing-library/react';
import type { ReactElement } from 'react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CIFAR10_DEFINITION_TEXT, defaultDefinitionFor } from '../../src/engine/presets';
import { TOP_K, type TestEvaluation } from '../../src/training/evaluation';
import type { DatasetIdentity, TestPrediction } from '../../src/training/protocol';
import { DrawDigit } from '../../src/ui/draw/DrawDigit';
import { EvaluationPanel } from '../../src/ui/evaluation/EvaluationPanel';
import { ReceptiveFieldView } from '../../src/ui/inspector/ReceptiveFieldView';
import { ScoreBars } from '../../src/ui/inspector/ScoreBars';
import { NetworkView } from '../../src/ui/network-view/NetworkView';
import { NetworkEditor } from '../../src/ui/network-editor/NetworkEditor';
import { Predictions } from '../../src/ui/predictions/Predictions';
import { networkSummary, renderWithDashboard, startSession } from './dashboard-harness';

const FRUIT: DatasetIdentity = {
  name: 'Orchard photos',
  width: 32,
  height: 32,
  channels: 3,
  classNames: ['granny smith apple (green, sour)', 'banana', 'strawberry from the garden'],
  builtIn: null,
  fingerprint: 'f00d',
};
const FRUIT_NETWORK = defaultDefinitionFor({ width: 32, height: 32, channels: 3, classes: 3, randomCrops: false });
const IMAGE_BYTES = 32 * 32 * 3;

/** A 32x32 image of one colour, HWC. */
function solid(r: number, g: number, b: number): Uint8Array {
  const pixels = new Uint8Array(IMAGE_BYTES);
  for (let i = 0; i < IMAGE_BYTES; i += 3) pixels.set([r, g, b], i);
  return pixels;
}

function prediction(testIndex: number, label: number, guess: number, pixels: Uint8Array): TestPrediction {
  const others = [0, 1, 2].filter((c) => c !== guess);
  return {
    testIndex,
    pixels,
    label,
    top3: [
      { label: guess, probability: 0.7 },
      { label: others[0]!, probability: 0.2 },
      { label: others[1]!, probability: 0.1 },
    ],
    correct: label === guess,
  };
}

/** Renders the panel with a session on the fruit set running its own network. */
function onFruit(ui: ReactElement) {
  const harness = renderWithDashboard(ui);
  startSession(harness.backend, true, networkSummary(FRUIT_NETWORK));
  act(() => harness.backend.emitUpdate({ dataset: FRUIT }));
  return harness;
}

/** A stand-in 2D context that keeps what each canvas was painted with (jsdom has none). */
function recordPaints() {
  const painted = new Map<HTMLCanvasElement, ImageData>();
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    const canvas = this;
    return {
      createImageData: (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) }),
      putImageData: (pixels: ImageData) => painted.set(canvas, pixels),
    } as unknown as CanvasRenderingContext2D;
  } as unknown as typeof HTMLCanvasElement.prototype.getContext);
  return painted;
}

afterEach(() => vi.restoreAllMocks());

describe('panels on a 3-class RGB dataset with long class names', () => {
  it('draws prediction tiles in colour at the dataset size and names the classes', () => {
    const painted = recordPaints();
    const { backend } = onFruit(<Predictions />);
    act(() => backend.emitUpdate({ predictions: [prediction(4, 2, 2, solid(200, 30, 60)), prediction(5, 0, 1, solid(10, 220, 40))] }));

    const right = screen.getByRole('listitem', { name: 'Test image 4, a strawberry from the garden; predicted strawberry from the garden (70.0%)' });
    const wrong = screen.getByRole('listitem', { name: 'Test image 5, a granny smith apple (green, sour); predicted banana (70.0%)' });
    // Each bar names its class; a long name carries its whole self in the tooltip.
    const labels = [...wrong.querySelectorAll('.prob-bar__label')].map((l) => [l.textContent, l.getAttribute('title')]);
    expect(labels).toEqual([
      ['banana', 'banana'],
      ['granny smith apple (green, sour)', 'granny smith apple (green, sour)'],
      ['strawberry from the garden', 'strawberry from the garden'],
    ]);
    // A wrong tile says the true class in sight; a right one does not need to.
    expect(wrong.querySelector('.prediction__truth')!.textContent).toBe('true granny smith apple (green, sour)');
    expect(right.querySelector('.prediction__truth')).toBeNull();

    // The tile is a colour picture of the whole 32x32 image (2x: 64 px), painted with its own colours.
    const canvas = wrong.querySelector('canvas')!;
    expect([canvas.width, canvas.height]).toEqual([64, 64]);
    const pixels = painted.get(canvas)!;
    expect([...pixels.data.subarray(0, 4)]).toEqual([10, 220, 40, 255]);
    expect([...painted.get(right.querySelector('canvas')!)!.data.subarray(-4)]).toEqual([200, 30, 60, 255]);
  });

  it('puts the class names on the confusion matrix axes, in its cells and the gallery', async () => {
    const user = userEvent.setup();
    const { backend } = onFruit(<EvaluationPanel />);
    backend.answers.testImages = (indices) => {
      const out = new Uint8Array(indices.length * IMAGE_BYTES);
      indices.forEach((_, k) => out.set(solid(0, 0, 255), k * IMAGE_BYTES));
      return out;
    };
    await user.click(screen.getByRole('button', { name: 'Evaluate on full test set' }));
    // Six images: two of each class, the last of each taken for the next class.
    const labels = Uint8Array.from([0, 0, 1, 1, 2, 2]);
    const guesses = [0, 1, 1, 2, 2, 0];
    const evaluation: TestEvaluation = {
      runId: 1,
      examplesSeen: 100,
      total: 6,
      classes: 3,
      fourCropCorrect: 3,
      centerCorrect: 3,
      labels,
      topLabels: Uint8Array.from(guesses.flatMap((g) => [g, (g + 1) % 3, (g + 2) % 3])),
      topProbabilities: Float32Array.from(guesses.flatMap(() => [0.6, 0.3, 0.1])),
    };
    expect(TOP_K).toBe(3);
    await act(async () => backend.finishEvaluation({ ok: true, evaluation }));

    const table = screen.getByRole('table', { name: /rows are the true class, columns the predicted class/ });
    const columnNames = within(table).getAllByRole('columnheader').map((h) => h.textContent);
    expect(columnNames).toEqual(['True classtrue ↓ / predicted →', ...FRUIT.classNames, 'Accuracy']);
    expect(within(table).getAllByRole('rowheader').map((h) => h.getAttribute('title'))).toEqual(FRUIT.classNames);
    // Long names stand on their side in the column headers.
    expect(within(table).getAllByRole('columnheader')[1]!.className).toContain('confusion__column--sideways');

    await user.click(screen.getByRole('button', { name: 'True granny smith apple (green, sour), predicted banana: 1 of 2 images (50.0%)' }));
    expect(screen.getByRole('heading', { name: 'True granny smith apple (green, sour), predicted banana: 1 image' })).toBeTruthy();
    const gallery = await screen.findByRole('list', { name: 'Test images of true granny smith apple (green, sour) predicted banana' });
    expect(within(gallery).getAllByRole('listitem', { name: /^Test image/ }).map((item) => item.getAttribute('aria-label'))).toEqual([
      'Test image 1, a granny smith apple (green, sour); predicted banana (60.0%)',
    ]);
  });

  it('hides the draw pad and says why in one line', () => {
    onFruit(<DrawDigit />);
    expect(screen.queryByRole('img', { name: /Drawing pad/ })).toBeNull();
    expect(screen.getByText(/The drawing pad is for grayscale datasets; Orchard photos has colour images/)).toBeTruthy();
  });

  it("offers the presets for the dataset's shape and says when a network does not fit it", async () => {
    const { backend } = renderWithDashboard(<NetworkEditor />);
    startSession(backend);
    const options = () => [...screen.getByLabelText<HTMLSelectElement>('Presets').options].map((o) => o.textContent);
    expect(options()).toEqual(["Seed network (the demo's)", 'Wider two-conv', 'MLP', 'SVM loss']);

    act(() => backend.emitUpdate({ dataset: FRUIT }));
    expect(options()).toEqual(['Custom', "ConvNetJS's CIFAR-10 network", 'Small two-conv', 'MLP']);
    // The editor still holds MNIST's seed network, which the preview now refuses, naming both shapes.
    const preview = screen.getByRole('region', { name: 'Preview of the definition' });
    expect(within(preview).getByText(/^Does not fit the dataset:/).textContent).toBe(
      "Does not fit the dataset: The network's input is 24x24x1, but Orchard photos images are 32x32x3; use an input of depth 3",
    );

    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Presets'), "ConvNetJS's CIFAR-10 network");
    await user.click(screen.getByRole('button', { name: 'Load preset' }));
    expect(screen.getByLabelText<HTMLTextAreaElement>('Network definition').value).toBe(CIFAR10_DEFINITION_TEXT.replace('num_classes:10', 'num_classes:3'));
    await vi.waitFor(() => expect(within(preview).queryByText(/^Does not fit the dataset:/)).toBeNull());
  });

  it('names the classes on the last layer score bars', () => {
    const { rerender } = renderWithDashboard(
      <ScoreBars values={Float32Array.from([0.1, 2, -1])} unit="class" classNames={FRUIT.classNames} current={0} onCurrent={() => {}} label="Class scores" readoutId="r" />,
    );
    const group = screen.getByRole('group', { name: 'Class scores' });
    expect(within(group).getByTitle('banana').textContent).toBe('banana (highest)');
    // MNIST's names are the numbers themselves, so its bars keep saying "class 1".
    rerender(<ScoreBars values={Float32Array.from([0.1, 2, -1])} unit="class" classNames={['0', '1', '2']} current={0} onCurrent={() => {}} label="Class scores" readoutId="r" />);
    expect(within(screen.getByRole('group', { name: 'Class scores' })).getByTitle('class 1')).toBeTruthy();
  });

  it('draws a colour input as its picture: the receptive field and the input panel', () => {
    const painted = recordPaints();
    const { layers } = networkSummary(FRUIT_NETWORK);
    // Input values are pixel/255 - 0.5: a red picture is (0.5, -0.5, -0.5) at every pixel.
    const red = Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => (i % 3 === 0 ? 0.5 : -0.5));
    const { unmount } = renderWithDashboard(<ReceptiveFieldView layers={layers} layerIndex={1} x={3} y={4} input={red} />);
    const input = screen.getByRole('img', { name: 'The input example' }) as HTMLCanvasElement;
    expect([...painted.get(input)!.data.subarray(0, 4)]).toEqual([255, 0, 0, 255]);
    unmount();

    onFruit(<NetworkView />);
    const panel = screen.getByRole('article', { name: 'input (32x32x3)' });
    expect(within(panel).getByRole('img', { name: 'input (32x32x3) activations in colour' })).toBeTruthy();
    // Deeper layers stay channel maps.
    expect(within(screen.getByRole('article', { name: 'conv (32x32x16)' })).queryByRole('img', { name: /in colour/ })).toBeNull();
  });
});
