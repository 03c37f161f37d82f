/**
 * The contract between the page and the dataset worker, which reads picked files, decodes
 * images, checks the dataset and keeps it in IndexedDB, all off the main thread. Plain,
 * structured-clonable data: picked files cross as Blobs (File is one), read in the worker.
 */
import type { Channels, DatasetFormat } from './dataset';
import type { StoredDatasetInfo } from './dataset-store';
import type { SkipReason, SkippedFile } from './image-folder';

export type { StoredDatasetInfo } from './dataset-store';

/** A picked file: its path (inside a picked folder, else its name) and its contents. */
export interface PickedFile {
  path: string;
  file: Blob;
}

export interface DatasetLoadRequest {
  files: PickedFile[];
  format: DatasetFormat | 'auto';
  name?: string;
  /** Class names typed by the person, one a line or comma separated (MNIST format). */
  classNamesText?: string;
  /** Your own images: every image becomes imageSide x imageSide, gray (1) or colour (3). */
  imageSide: number;
  channels: Channels;
}

export interface DatasetLoadProgress {
  phase: 'reading' | 'decoding' | 'checking' | 'storing';
  done: number;
  total: number;
}

export type DatasetLoadOutcome =
  | {
      ok: true;
      info: StoredDatasetInfo;
      /** How many files were left out, by why, and the first few of them by name. */
      skippedCounts: Partial<Record<SkipReason, number>>;
      skippedExamples: SkippedFile[];
    }
  | { ok: false; error: string };

/** What the dataset worker does for the page. */
export interface DatasetWorkerApi {
  load(request: DatasetLoadRequest, onProgress: (progress: DatasetLoadProgress) => void): Promise<DatasetLoadOutcome>;
}

/** The dataset a page trains on: the built-in MNIST, or one kept in IndexedDB by id. */
export type DatasetChoice = { kind: 'built-in' } | { kind: 'stored'; id: string };

export const BUILT_IN_CHOICE: DatasetChoice = { kind: 'built-in' };

/** Everything the store needs for datasets: loading, the kept ones, and which is chosen. */
export interface DatasetBackend extends DatasetWorkerApi {
  list(): Promise<StoredDatasetInfo[]>;
  forget(id: string): Promise<void>;
  chosen(): DatasetChoice;
  choose(choice: DatasetChoice): void;
}
