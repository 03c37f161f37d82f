/**
 * The metrics history as CSV (RFC 4180: comma separated, CRLF line ends, fields quoted
 * when they hold a comma, a quote or a line break). Accuracies are fractions in [0, 1];
 * an empty field means no value (an accuracy window that had no data yet).
 */
import type { TestEvaluationPoint } from '../../state/types';
import type { LossPoint } from '../../training/protocol';

export type CsvValue = string | number | null | undefined;

export const METRICS_CSV_COLUMNS = [
  'kind',
  'examples',
  'loss',
  'training_accuracy',
  'validation_accuracy',
  'test_accuracy_4crop',
  'test_accuracy_center',
] as const;

/** The `kind` of a row: a point of the charts' moving windows, or a full test-set evaluation. */
export const HISTORY_ROW = 'history';
export const TEST_EVALUATION_ROW = 'test evaluation';

/** One CSV field: empty for a missing or non-finite number, quoted when the text needs it. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? formatCsvNumber(value) : '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/**
 * A header, then one row per chart point and per test evaluation, in order of examples
 * seen (at equal examples the chart point comes first).
 */
export function metricsCsv(history: readonly LossPoint[], evaluations: readonly TestEvaluationPoint[]): string {
  const rows: { examples: number; order: number; cells: CsvValue[] }[] = [];
  for (const p of history) {
    rows.push({
      examples: p.examples,
      order: 0,
      cells: [HISTORY_ROW, p.examples, p.loss, p.trainingAccuracy, p.validationAccuracy, null, null],
    });
  }
  for (const e of evaluations) {
    rows.push({
      examples: e.examples,
      order: 1,
      cells: [TEST_EVALUATION_ROW, e.examples, null, null, null, e.fourCropAccuracy, e.centerAccuracy],
    });
  }
  // A stable sort keeps each series in its own order among equal keys.
  rows.sort((a, b) => a.examples - b.examples || a.order - b.order);
  return toCsv([METRICS_CSV_COLUMNS, ...rows.map((r) => r.cells)]);
}

/** Integers as they are; other numbers to 6 significant digits (float noise is not data). */
function formatCsvNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
