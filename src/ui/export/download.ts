/** Saves a blob as a file through a temporary link (no server round trip, CSP-safe). */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoking at once can cancel the download in some browsers; the URL is not needed after it starts.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
