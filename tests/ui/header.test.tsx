// @vitest-environment jsdom
/**
 * The page's heading and its account of what is running follow the dataset: MNIST's own
 * words for the built-in set; a loaded set's name, shape, classes and augmentation otherwise.
 */
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MNIST_IDENTITY, type DatasetIdentity } from '../../src/data/dataset';
import { Header } from '../../src/ui/header/Header';
import { renderWithDashboard, startSession } from './dashboard-harness';

function renderFor(dataset: DatasetIdentity | null) {
  const harness = renderWithDashboard(<Header />);
  startSession(harness.backend);
  if (dataset) act(() => harness.backend.emitUpdate({ dataset }));
  return harness;
}

describe('Header', () => {
  it("tells MNIST's story for the built-in set", () => {
    renderFor(null);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('MNIST convolutional network, trained in your browser');
    expect(screen.getByText(/random 24x24 crop of a digit/)).toBeTruthy();
  });

  it("names a loaded colour set, its shape and classes, and its shifts and flips", () => {
    renderFor({ ...MNIST_IDENTITY, name: 'Pets', width: 32, height: 32, channels: 3, classNames: ['cat', 'dog', 'fish'], builtIn: null, fingerprint: 'a'.repeat(64) });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('A convolutional network on Pets, trained in your browser');
    expect(screen.getByText(/on Pets, 32x32 colour images in 3 classes/)).toBeTruthy();
    expect(screen.getByText(/shifted by up to 2 pixels and mirrored half of the time/)).toBeTruthy();
    expect(screen.queryByText(/crop of a digit|handwritten digits/)).toBeNull();
  });

  it("gives a loaded 28x28 gray set MNIST's crops, not MNIST's words", () => {
    renderFor({ ...MNIST_IDENTITY, name: 'Fashion', classNames: ['shirt', 'shoe'], builtIn: null, fingerprint: 'b'.repeat(64) });
    expect(screen.getByText(/on Fashion, 28x28 grayscale images in 2 classes/)).toBeTruthy();
    expect(screen.getByText(/averages the class probabilities of 4 random crops/)).toBeTruthy();
  });
});
