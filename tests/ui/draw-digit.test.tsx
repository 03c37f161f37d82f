// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { DrawDigit } from '../../src/ui/draw/DrawDigit';
import { renderWithDashboard, startSession } from './dashboard-harness';

const TOP3 = [
  { label: 1, probability: 0.93 },
  { label: 7, probability: 0.05 },
  { label: 4, probability: 0.01 },
];

function setup() {
  const harness = renderWithDashboard(<DrawDigit />);
  startSession(harness.backend);
  harness.backend.answers.classifyImage = () => ({ ok: true, top3: TOP3 });
  const pad = screen.getByRole('img', { name: /Drawing pad/ }) as HTMLCanvasElement;
  // jsdom lays nothing out: the pad is shown at half its pixel size, at (10, 20).
  pad.getBoundingClientRect = () => ({ left: 10, top: 20, width: 140, height: 140, right: 150, bottom: 160, x: 10, y: 20, toJSON() {} }) as DOMRect;
  return { ...harness, pad, user: userEvent.setup() };
}

/** Draws a vertical stroke in screen coordinates, one move per step. */
function drawVertical(pad: HTMLCanvasElement, x: number, fromY: number, toY: number, release = true) {
  fireEvent.pointerDown(pad, { pointerId: 1, pointerType: 'mouse', button: 0, clientX: x, clientY: fromY });
  for (let y = fromY + 5; y <= toY; y += 5) fireEvent.pointerMove(pad, { pointerId: 1, pointerType: 'mouse', clientX: x, clientY: y });
  if (release) fireEvent.pointerUp(pad, { pointerId: 1, pointerType: 'mouse', clientX: x, clientY: toY });
}

function centreOfMass(pixels: Uint8Array) {
  let mass = 0;
  let cx = 0;
  let cy = 0;
  pixels.forEach((v, i) => {
    mass += v;
    cx += v * (i % 28);
    cy += v * Math.floor(i / 28);
  });
  return { x: cx / mass, y: cy / mass };
}

describe('draw a digit', () => {
  it('classifies while drawing, before the pen is lifted, and shows the top-3 bars', async () => {
    const { backend, pad } = setup();
    drawVertical(pad, 40, 30, 120, false);
    await waitFor(() => expect(backend.callsTo('classifyImage').length).toBeGreaterThan(0));
    await waitFor(() => expect(screen.getByText('Prediction:').textContent).toBe('Prediction: 1'));
    expect([...document.querySelectorAll('.prob-bar__label')].map((e) => e.textContent)).toEqual(['1', '7', '4']);
    expect(screen.getByRole('img', { name: 'Your drawing as the network sees it' })).toBeTruthy();
    fireEvent.pointerUp(pad, { pointerId: 1, pointerType: 'mouse', clientX: 40, clientY: 120 });
  });

  it('sends the drawing the MNIST way: a "1" drawn at the side arrives centred', async () => {
    const { backend, pad } = setup();
    drawVertical(pad, 30, 30, 130);
    await waitFor(() => expect(screen.getByText('Prediction:').textContent).toBe('Prediction: 1'));
    const calls = backend.callsTo('classifyImage') as [Uint8Array][];
    const pixels = calls.at(-1)![0];
    expect(pixels).toHaveLength(784);
    const c = centreOfMass(pixels);
    expect(Math.abs(c.x - 14)).toBeLessThanOrEqual(0.6);
    expect(Math.abs(c.y - 14)).toBeLessThanOrEqual(0.6);
  });

  it('Clear (button or Delete on the pad) empties the pad and gives the layer views back to training', async () => {
    const { backend, pad, user } = setup();
    const clear = screen.getByRole('button', { name: 'Clear' }) as HTMLButtonElement;
    expect(clear.disabled).toBe(true);
    drawVertical(pad, 40, 30, 120);
    await waitFor(() => expect(screen.getByText('Prediction:')).toBeTruthy());
    await user.click(clear);
    expect(screen.queryByText('Prediction:')).toBeNull();
    expect(backend.callsTo('clearInspectedImage')).toHaveLength(1);
    expect(clear.disabled).toBe(true);

    drawVertical(pad, 60, 30, 120);
    await waitFor(() => expect(screen.getByText('Prediction:')).toBeTruthy());
    pad.focus();
    await user.keyboard('{Delete}');
    expect(screen.queryByText('Prediction:')).toBeNull();
    expect(backend.callsTo('clearInspectedImage')).toHaveLength(2);
  });

  it('does not claim an uploaded picture as its own', async () => {
    const { store, pad } = setup();
    drawVertical(pad, 40, 30, 120);
    await waitFor(() => expect(screen.getByText('Prediction:')).toBeTruthy());
    await act(async () => {
      await store.getState().actions.classifyImage(new Uint8Array(784).fill(9));
    });
    expect(screen.queryByText('Prediction:')).toBeNull();
  });
});
