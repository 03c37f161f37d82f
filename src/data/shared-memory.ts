/**
 * Whether memory can be shared with workers here: SharedArrayBuffer exists and, in a
 * browser, the page is cross-origin isolated (crossOriginIsolated is absent in Node).
 * The loaders ask it to put images in shared memory; src/parallel asks it to choose a
 * transport. It lives here, at the bottom, so data never imports parallel.
 */
export function canShareMemory(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer !== 'undefined' && g.crossOriginIsolated !== false;
}
