/**
 * The dataset worker: reads picked files, opens zips, decodes images (createImageBitmap +
 * OffscreenCanvas), checks the dataset and keeps it in IndexedDB, so none of that blocks
 * the page. A refusal answers { ok: false, error } naming the file and the problem; nothing
 * is kept then.
 */
import * as Comlink from 'comlink';
import { errorMessage } from '../engine/error-message';
import { decodeWithBrowser } from './browser-image-decoder';
import { DEFAULT_DATASET_CAPS, formatBytes } from './dataset';
import { loadLocalDataset } from './dataset-files';
import type { DatasetLoadOutcome, DatasetLoadProgress, DatasetLoadRequest, DatasetWorkerApi } from './dataset-protocol';
import { storeDataset } from './dataset-store';
import { InputBudget, isGzip, joinPieces, type NamedBytes } from './local-files';
import { DatasetError } from './dataset-error';

/** Skipped files named one by one in the answer; the rest are only counted. */
const SKIPPED_EXAMPLES = 20;

class DatasetWorker implements DatasetWorkerApi {
  async load(request: DatasetLoadRequest, onProgress: (progress: DatasetLoadProgress) => void): Promise<DatasetLoadOutcome> {
    try {
      const caps = DEFAULT_DATASET_CAPS;
      const budget = new InputBudget(caps.maxInputBytes);
      const files: NamedBytes[] = [];
      const total = request.files.length;
      for (const [done, picked] of request.files.entries()) {
        onProgress({ phase: 'reading', done, total });
        // Sizes are counted before reading, so a huge pick is refused without filling memory.
        budget.take(picked.path, picked.file.size);
        const bytes = new Uint8Array(await picked.file.arrayBuffer());
        files.push({ name: picked.path, bytes: isGzip(bytes) ? await gunzipNatively(picked.path, bytes, caps.maxInputBytes) : bytes });
      }
      onProgress({ phase: 'checking', done: total, total });
      const result = await loadLocalDataset(files, {
        format: request.format,
        name: request.name,
        classNamesText: request.classNamesText,
        imageSide: request.imageSide,
        channels: request.channels,
        decode: decodeWithBrowser,
        caps,
        onProgress: (done, count) => onProgress({ phase: 'decoding', done, total: count }),
      });
      onProgress({ phase: 'storing', done: 0, total: 1 });
      const info = await storeDataset(result.dataset);
      return { ok: true, info, skippedCounts: result.skippedCounts, skippedExamples: result.skipped.slice(0, SKIPPED_EXAMPLES) };
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
  }
}

/**
 * gzip through the browser's own DecompressionStream: several times faster than inflating
 * in JavaScript (Fashion-MNIST's 26 MB of training images). Stops as soon as the output
 * passes the cap; the loaders then see the plain bytes.
 */
async function gunzipNatively(path: string, bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const pieces: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new DatasetError(path, `decompresses to more than ${formatBytes(maxBytes)}, past the limit for loaded data`);
      }
      pieces.push(value);
    }
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(path, 'is gzip-compressed but damaged or truncated; download it again');
  }
  return joinPieces(pieces, total);
}

Comlink.expose(new DatasetWorker());
