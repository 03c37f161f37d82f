import { useMemo } from 'react';
import { histogram, summarizeValues } from '../../training/layer-stats';
import { formatNumber } from '../common/format';
import { HistogramBars } from './HistogramBars';
import { TableHead } from '../common/TableHead';

export const HISTOGRAM_BINS = 20;

export interface NamedValues {
  name: string;
  /** null: this layer has no such values (e.g. weights of a relu). */
  values: Float32Array | null;
}

/**
 * Min, max, mean and std of each block of numbers, with its histogram. On a phone the
 * table is wider than the card, so it scrolls sideways in a box that takes focus (keyboard
 * users scroll it too) rather than being cut off at the card's edge.
 */
export function ValueStatsTable({ rows }: { rows: NamedValues[] }) {
  return (
    <div className="inspector-stats__scroll" tabIndex={0} role="region" aria-label="Statistics of the current example">
      <StatsTable rows={rows} />
    </div>
  );
}

function StatsTable({ rows }: { rows: NamedValues[] }) {
  return (
    <table className="inspector-stats">
      <caption>Statistics of the current example</caption>
      <TableHead columns={['Values', 'min', 'max', 'mean', 'std', 'Histogram']} />
      <tbody>
        {rows.map((row) => (
          <StatsRow key={row.name} {...row} />
        ))}
      </tbody>
    </table>
  );
}

function StatsRow({ name, values }: NamedValues) {
  const summary = useMemo(() => (values ? summarizeValues(values) : null), [values]);
  const bins = useMemo(() => (values ? histogram(values, HISTOGRAM_BINS) : null), [values]);
  if (!summary || !bins) {
    return (
      <tr>
        <th scope="row">{name}</th>
        <td colSpan={5} className="muted">
          none in this layer
        </td>
      </tr>
    );
  }
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>{formatNumber(summary.min)}</td>
      <td>{formatNumber(summary.max)}</td>
      <td>{formatNumber(summary.mean)}</td>
      <td>{formatNumber(summary.std)}</td>
      <td>
        <HistogramBars histogram={bins} label={`Histogram of ${name.toLowerCase()}`} />
        {summary.nonFinite > 0 ? <span className="inspector-warning"> {summary.nonFinite} not finite</span> : null}
      </td>
    </tr>
  );
}
