/** Number formatting shared by the panels, so the same quantity reads the same everywhere. */

/** Up to `digits` significant decimals, trailing zeros dropped; "–" for missing values. */
export function formatNumber(value: number | null | undefined, digits = 5): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(2);
  return String(Number(value.toFixed(digits)));
}

export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

// One formatter for the page: toLocaleString builds a new one per call, which showed up in
// profiles at 10 stats updates a second.
const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatInteger(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return integerFormat.format(Math.round(value));
}

/** "24x24x8", as ConvNetJS writes shapes. */
export function formatShape(shape: { sx: number; sy: number; depth: number }): string {
  return `${shape.sx}x${shape.sy}x${shape.depth}`;
}
