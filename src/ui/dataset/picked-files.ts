/**
 * Files a person picked or dropped, as the dataset worker takes them: each with its path
 * inside a picked or dropped folder (the class folders of an image set), else its name.
 */
import type { PickedFile } from '../../training/protocol';

/** Files from an <input type="file">, with or without webkitdirectory. */
export function pickedFiles(files: FileList | readonly File[]): PickedFile[] {
  return Array.from(files, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

/** Folders a drop brought are walked (the browser's entries API); plain files are taken as they are. */
export async function droppedFiles(transfer: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(transfer.items ?? [], (item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((entry) => entry === null)) return pickedFiles(transfer.files);
  const out: PickedFile[] = [];
  for (const entry of entries as FileSystemEntry[]) await collect(entry, out);
  return out;
}

async function collect(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 at a time in Chromium) until it answers none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await collect(child, out);
  }
}
