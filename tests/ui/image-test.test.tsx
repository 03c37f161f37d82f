// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImageTest } from '../../src/ui/image-test/ImageTest';
import { renderWithDashboard, startSession } from './dashboard-harness';
import { pngHeader } from './image-headers';

/**
 * jsdom decodes no images, so the browser's decoder is replaced by one that "decodes"
 * complete PNGs (ending in an IEND chunk) into a 64x64 picture of a dark disk on white
 * paper and rejects the rest, as createImageBitmap does. Every call is recorded.
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
  const decoderCalls: ImageBitmapOptions[] = [];
  vi.stubGlobal('createImageBitmap', async (file: Blob, options: ImageBitmapOptions) => {
    decoderCalls.push(options);
    const tail = new TextDecoder().decode(await file.slice(-4).arrayBuffer());
    if (tail !== 'IEND') throw new DOMException('The source image could not be decoded.', 'InvalidStateError');
    return { width: options.resizeWidth ?? size, height: options.resizeHeight ?? size, close() {} };
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
          // The disk at the decoded size, or blank paper for any other size.
          getImageData: (_x: number, _y: number, w: number, h: number) => {
            const data = w === size && h === size ? rgba : new Uint8ClampedArray(w * h * 4).fill(250);
            return { data, width: w, height: h };
          },
        };
      }
    },
  );
  return decoderCalls;
}

/** A PNG file of the stated size: a real header, then (when complete) the closing IEND. */
function pngFile(name: string, width: number, height: number, { complete = true, padTo = 0 } = {}): File {
  const parts: BlobPart[] = [pngHeader(width, height) as Uint8Array<ArrayBuffer>];
  if (padTo > 0) parts.push(new Uint8Array(padTo));
  if (complete) parts.push('IEND');
  return new File(parts, name, { type: 'image/png' });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

function setup() {
  const decoderCalls = installFakeDecoder();
  const harness = renderWithDashboard(<ImageTest />);
  startSession(harness.backend);
  return { ...harness, decoderCalls, user: userEvent.setup() };
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
    await user.upload(screen.getByLabelText('Image file'), pngFile('zero.png', 64, 64));

    await waitFor(() => expect(screen.getByText('Prediction:').textContent).toBe('Prediction: 0'));
    // The input is emptied for the next choice, so the name of the file used is shown beside it.
    expect(screen.getByLabelText('Image file').getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByText('Chosen: zero.png').id).toBe(screen.getByLabelText('Image file').getAttribute('aria-describedby'));
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

  it('refuses a tiny PNG that claims 20,000x20,000 pixels before decoding it, stating the limit', async () => {
    const { backend, decoderCalls, user } = setup();
    const bomb = pngFile('bomb.png', 20_000, 20_000);
    expect(bomb.size).toBeLessThan(100);
    await user.upload(screen.getByLabelText('Image file'), bomb);
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'bomb.png is 20000x20000 pixels (400 megapixels); images up to 4096x4096 pixels (16.8 megapixels) can be tested, so shrink it first.',
      ),
    );
    expect(decoderCalls).toEqual([]);
    expect(backend.callsTo('classifyImage')).toEqual([]);
    // The card is usable again: the next, reasonable picture goes through.
    backend.answers.classifyImage = () => ({ ok: true, top3: [{ label: 3, probability: 1 }] });
    await user.upload(screen.getByLabelText('Image file'), pngFile('three.png', 64, 64));
    await waitFor(() => expect(screen.getByText('Prediction:').textContent).toBe('Prediction: 3'));
  });

  it('refuses a file over 10 MB without decoding it', async () => {
    const { decoderCalls, user } = setup();
    await user.upload(screen.getByLabelText('Image file'), pngFile('huge.png', 100, 100, { padTo: 11 * 1024 * 1024 }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe('huge.png is 11 MB; images up to 10 MB can be tested.'),
    );
    expect(decoderCalls).toEqual([]);
  });

  it('says a damaged file could not be decoded, and sends nothing', async () => {
    const { backend, decoderCalls, user } = setup();
    await user.upload(screen.getByLabelText('Image file'), pngFile('cut.png', 64, 64, { complete: false }));
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'cut.png could not be decoded (the PNG data looks damaged); try a PNG or JPEG of a digit.',
      ),
    );
    expect(decoderCalls).toHaveLength(1);
    expect(backend.callsTo('classifyImage')).toEqual([]);
  });

  it('asks the decoder for a picture no bigger than 400 pixels a side', async () => {
    const { backend, decoderCalls, user } = setup();
    backend.answers.classifyImage = () => ({ ok: true, top3: [{ label: 1, probability: 1 }] });
    await user.upload(screen.getByLabelText('Image file'), pngFile('photo.png', 4000, 3000));
    await waitFor(() => expect(decoderCalls).toHaveLength(1));
    expect(decoderCalls[0]).toMatchObject({ resizeWidth: 400, resizeHeight: 300 });
  });
});
