// @vitest-environment jsdom
/**
 * Words for a person's picture follow the dataset: MNIST asks for a digit; any other set
 * (Fashion-MNIST at the very same 28x28 gray, or a colour set) for an image or a shape.
 */
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { MNIST_IDENTITY, type DatasetIdentity } from '../../src/data/dataset';
import { toDatasetImage } from '../../src/training/mnist-style-image';
import { DrawDigit } from '../../src/ui/draw/DrawDigit';
import { ImageTest } from '../../src/ui/image-test/ImageTest';
import { renderWithDashboard, startSession } from './dashboard-harness';

/** A local MNIST-format set of MNIST's shape that holds clothes, not digits. */
const FASHION: DatasetIdentity = {
  ...MNIST_IDENTITY,
  name: 'Fashion',
  classNames: ['T-shirt/top', 'Trouser', 'Pullover'],
  builtIn: null,
  fingerprint: 'f'.repeat(64),
};

function render(ui: ReactElement, dataset: DatasetIdentity | null) {
  const harness = renderWithDashboard(ui);
  startSession(harness.backend);
  if (dataset) act(() => harness.backend.emitUpdate({ dataset }));
  return { ...harness, user: userEvent.setup() };
}

/** "Test an image" and the draw pad side by side, then a file that is not an image uploaded. */
async function renderBothAndUploadNotAnImage(dataset: DatasetIdentity | null): Promise<void> {
  const { user } = render(
    <>
      <ImageTest />
      <DrawDigit />
    </>,
    dataset,
  );
  await user.upload(screen.getByLabelText('Image file'), notAnImage());
  await waitFor(() => expect(screen.getByRole('alert')).toBeTruthy());
}

const notAnImage = () => new File(['just some notes'], 'notes.png', { type: 'image/png' });

describe('"test an image" and the draw pad name the picture by the dataset', () => {
  it('MNIST asks for a digit', async () => {
    await renderBothAndUploadNotAnImage(null);
    expect(screen.getByRole('alert').textContent).toMatch(/^notes\.png .*; try a PNG or JPEG of a digit\.$/);
    expect(screen.getByText(/^A photo or drawing of one digit\. It is converted the way MNIST was made: light digit on/)).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Draw a digit' })).toBeTruthy();
    expect(screen.getByRole('img', { name: /^Drawing pad: draw a digit here/ })).toBeTruthy();
  });

  it('another 28x28 gray set asks for an image or a shape, never a digit', async () => {
    await renderBothAndUploadNotAnImage(FASHION);
    expect(screen.getByRole('alert').textContent).toMatch(/^notes\.png .*; try a PNG or JPEG image\.$/);
    expect(screen.getByText(/^A photo or drawing of one shape\. It is converted the way MNIST was made: light shape on/)).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Draw an image' })).toBeTruthy();
    expect(screen.getByText(/^Draw one shape with a mouse/)).toBeTruthy();
    expect(screen.getByRole('img', { name: /^Drawing pad: draw a shape here/ })).toBeTruthy();
    expect(document.body.textContent).not.toMatch(/digit/);
  });

  it('a colour set titles the card without a digit', () => {
    render(<DrawDigit />, { ...FASHION, name: 'Orchard', width: 32, height: 32, channels: 3 });
    expect(screen.getByRole('region', { name: 'Draw an image' })).toBeTruthy();
  });

  it('a blank picture: no digit stands out for MNIST, no shape for the others', () => {
    const blank = new Uint8ClampedArray(40 * 40 * 4).fill(255);
    const shape = { width: 28, height: 28, channels: 1 } as const;
    expect(toDatasetImage(blank, 40, 40, shape)).toEqual({ ok: false, error: 'The image looks blank: no digit stands out from the background.' });
    expect(toDatasetImage(blank, 40, 40, shape, 'shape')).toEqual({ ok: false, error: 'The image looks blank: no shape stands out from the background.' });
  });
});
