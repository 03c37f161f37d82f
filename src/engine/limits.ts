/**
 * Caps that keep a pasted definition or a loaded snapshot from exhausting memory. A
 * network over a cap is rejected, never truncated.
 */
export const LIMITS = {
  maxParams: 20_000_000,
  /** Values in one layer's output volume (and in a conv layer's zero-padded input). */
  maxLayerActivations: 50_000_000,
  /**
   * Values in all layer outputs and padded conv inputs together. A net keeps each with
   * its gradient, so this bounds its activation memory (8 bytes a value) where the
   * per-layer cap alone would allow 200 layers of 50 million.
   */
  maxTotalActivations: 100_000_000,
  /** Layers after desugaring (and user definitions before it). */
  maxLayers: 200,
  /**
   * Size of a definition text, in UTF-8 bytes. 200 layers take about 20 kB; the cap keeps
   * the worst text to parse (JSON5 on dense tokens, about 1 ms per kB) well within a second.
   */
  maxDefinitionBytes: 100_000,
  /** Length of a snapshot's JSON text, checked before JSON.parse (about 50 MB of ASCII JSON). */
  maxSnapshotChars: 50_000_000,
} as const;
