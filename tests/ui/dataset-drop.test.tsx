// @vitest-environment jsdom
/**
 * Dropping folders on the Dataset panel: the browser's entries API (webkitGetAsEntry,
 * readEntries in batches) is walked, and every file reaches the load with its path inside
 * the dropped folders, as the folder picker gives them.
 */
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeBackend } from '../../src/state/fake-backend';
import { DatasetPanel } from '../../src/ui/dataset/DatasetPanel';
import { fakeDatasets, INFO } from '../unit/data/fake-datasets';
import { renderWithDashboard, startSession } from './dashboard-harness';

/** A file entry at `fullPath` (entries' paths start with "/"), whose File holds its own path as text. */
function fileEntry(fullPath: string): FileSystemFileEntry {
  const name = fullPath.slice(fullPath.lastIndexOf('/') + 1);
  return {
    isFile: true,
    isDirectory: false,
    name,
    fullPath,
    file: (resolve: (file: File) => void) => resolve(new File([fullPath], name)),
  } as unknown as FileSystemFileEntry;
}

/** A directory entry whose reader answers `batches` one call at a time, then an empty batch, as Chromium's does. */
function directoryEntry(fullPath: string, batches: FileSystemEntry[][]): FileSystemDirectoryEntry {
  return {
    isFile: false,
    isDirectory: true,
    name: fullPath.slice(fullPath.lastIndexOf('/') + 1),
    fullPath,
    createReader: () => {
      let next = 0;
      return { readEntries: (resolve: (entries: FileSystemEntry[]) => void) => resolve(batches[next++] ?? []) };
    },
  } as unknown as FileSystemDirectoryEntry;
}

/** What a drop of these entries carries: one item per entry, and `files` as Chromium lists them (the folders themselves). */
function transferOf(entries: FileSystemEntry[]) {
  return {
    items: entries.map((entry) => ({ kind: 'file', webkitGetAsEntry: () => entry })),
    files: entries.map((entry) => new File([], entry.name)),
    types: ['Files'],
  };
}

describe('dropping class folders on the Dataset panel', () => {
  it('walks the dropped folders and loads every file with its relative path', async () => {
    const datasets = fakeDatasets({ ok: true, info: INFO, skippedCounts: {}, skippedExamples: [] });
    const harness = renderWithDashboard(<DatasetPanel />, createFakeBackend(), { datasets });
    startSession(harness.backend);
    const cat = directoryEntry('/cat', [[fileEntry('/cat/1.png'), fileEntry('/cat/2.jpg')], [fileEntry('/cat/3.png')]]);
    const dog = directoryEntry('/dog', [[fileEntry('/dog/a.png'), directoryEntry('/dog/puppies', [[fileEntry('/dog/puppies/b.png')]])]]);

    const zone = screen.getByText(/^Drop the files, a folder or a \.zip here/).closest('div');
    if (!zone) throw new Error('the drop zone is not in the panel');
    fireEvent.drop(zone, { dataTransfer: transferOf([cat, dog]) });

    await waitFor(() => expect(datasets.requests).toHaveLength(1));
    const files = datasets.requests[0].files;
    expect(files.map((file) => file.path)).toEqual(['cat/1.png', 'cat/2.jpg', 'cat/3.png', 'dog/a.png', 'dog/puppies/b.png']);
    // Each path comes with its own file's contents.
    expect(await Promise.all(files.map((file) => file.file.text()))).toEqual(files.map((file) => `/${file.path}`));
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/Dataset loaded/));
  });

  it('takes dropped files that are not in a folder by their names', async () => {
    const datasets = fakeDatasets({ ok: true, info: INFO, skippedCounts: {}, skippedExamples: [] });
    renderWithDashboard(<DatasetPanel />, createFakeBackend(), { datasets });
    const zone = screen.getByText(/^Drop the files, a folder or a \.zip here/).closest('div');
    if (!zone) throw new Error('the drop zone is not in the panel');
    fireEvent.drop(zone, { dataTransfer: transferOf([fileEntry('/train-images-idx3-ubyte.gz'), fileEntry('/classes.txt')]) });
    await waitFor(() => expect(datasets.requests).toHaveLength(1));
    expect(datasets.requests[0].files.map((file) => file.path)).toEqual(['train-images-idx3-ubyte.gz', 'classes.txt']);
  });
});
