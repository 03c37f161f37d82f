// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImageTest } from '../../src/ui/image-test/ImageTest';
import { renderWithDashboard, startSession } from './dashboard-harness';

/**
 * jsdom decodes no images, so the browser's decoder is replaced by one that "decodes"
 * image/* files into a 64x64 picture of a dark disk on white paper and rejects the rest,
 * as createImageBitmap does.
 */
function installFakeDecoder() {
  const size = 64;
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - 40) ** 2 + (y - 20) ** 2 < 100;
      rgba.set(inside ? [10, 10, 10, 255] : [250, 250, 250, 255], (y * size + x) * 4);
    }
  }
  vi.stubGlobal('createImageBitmap', async (file: Blob) => {
    if (!file.type.startsWith('image/')) throw new DOMException('The source image could not be decoded.', 'InvalidStateError');
    return { width: size, height: size, close() {} };
  });
  vi.stubGlobal(
    'OffscreenCanvas',
    class {
      constructor(
        readonly width: number,
        readonly height: number,
      ) {}
      getContext() {
        return {
          drawImage() {},
          getImageData: (_x: number, _y: number, w: number, h: number) => {
            expect([w, h]).toEqual([size, size]);
            return { data: rgba, width: w, height: h };
          },
        };
      }
    },
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
});

function setup() {
  installFakeDecoder();
  const harness = renderWithDashboard(<ImageTest />);
  startSession(harness.backend);
  return { ...harness, user: userEvent.setup() };
}

describe('test an image from your computer', () => {
  it('sends an MNIST-style digit and shows the prediction with top-3 bars', async () => {
    const { backend, user } = setup();
    backend.answers.classifyImage = () => ({
      ok: true,
      top3: [
        { label: 0, probability: 0.9 },
        { label: 6, probability: 0.07 },
        { label: 8, probability: 0.02 },
      ],
    });
    expect(screen.getByRole('heading', { name: 'Test an image from your computer' })).toBeTruthy();
    await user.upload(screen.getByLabelText('Image file'), new File(['png bytes'], 'zero.png', { type: 'image/png' }));

    await waitFor(() => expect(screen.getByText('Prediction:').textContent).toBe('Prediction: 0'));
    const [[pixels]] = backend.callsTo('classifyImage') as [[Uint8Array]];
    expect(pixels).toHaveLength(784);
    // The off-centre dark disk arrives light-on-dark and in the middle.
    expect(pixels[0]).toBe(0);
    expect(pixels[14 * 28 + 14]).toBe(255);
    expect(screen.getByRole('img', { name: 'Your image as the network sees it' })).toBeTruthy();
    expect([...document.querySelectorAll('.prob-bar__label')].map((e) => e.textContent)).toEqual(['0', '6', '8']);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says clearly when the file is not an image, and sends nothing', async () => {
    const { backend } = setup();
    // applyAccept: false lets the upload through, as a person could by choosing "All files".
    await userEvent
      .setup({ applyAccept: false })
      .upload(screen.getByLabelText('Image file'), new File(['hello'], 'notes.txt', { type: 'text/plain' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/notes\.txt is not an image/));
    expect(backend.callsTo('classifyImage')).toEqual([]);
  });
});
