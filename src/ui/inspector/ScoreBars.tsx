import type { KeyboardEvent } from 'react';
import { formatNumber } from '../common/format';

/** At most this many bars; a wider layer shows its first ones and says so. */
const MAX_BARS = 200;

interface ScoreBarsProps {
  values: Float32Array;
  /** "class" for the last layers' one output per class, "neuron" otherwise. */
  unit: 'class' | 'neuron';
  /** With unit "class": the dataset's class names, shown in place of "class i" when they say more than the number. */
  classNames?: readonly string[];
  current: number;
  onCurrent(index: number): void;
  label: string;
  readoutId: string;
}

/** Where a value sits on an axis from `low` to `high`, as a fraction of its length. */
function axisPosition(value: number, low: number, high: number): number {
  return high > low ? (value - low) / (high - low) : 0;
}

/**
 * A 1x1xN layer's values as bars on one signed axis (class scores for fc/softmax): the axis
 * runs from the lowest value to the highest, zero always on it and marked, and each bar
 * runs from zero to its value. So the highest score reaches furthest right even when every
 * score is negative (a bar per magnitude would give the winner the shortest bar).
 * Arrow keys pick a bar.
 */
export function ScoreBars({ values, unit, classNames, current, onCurrent, label, readoutId }: ScoreBarsProps) {
  const barName = (i: number) => {
    const name = unit === 'class' ? classNames?.[i] : undefined;
    return name === undefined || name === String(i) ? `${unit} ${i}` : name;
  };
  const shown = Math.min(values.length, MAX_BARS);
  let low = 0;
  let high = 0;
  let best = -1;
  for (let i = 0; i < shown; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    low = Math.min(low, v);
    high = Math.max(high, v);
    if (best < 0 || v > values[best]!) best = i;
  }
  const zero = axisPosition(0, low, high);
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowDown' || event.key === 'ArrowRight' ? 1 : event.key === 'ArrowUp' || event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    onCurrent(Math.max(0, Math.min(shown - 1, current + step)));
  };
  return (
    <div className="inspector-scores" role="group" tabIndex={0} aria-label={label} aria-describedby={readoutId} onKeyDown={onKeyDown}>
      <ol>
        {Array.from({ length: shown }, (_, i) => {
          const v = values[i]!;
          const end = Number.isFinite(v) ? axisPosition(v, low, high) : zero;
          const classes = ['inspector-score', i === current ? 'inspector-score--current' : '', i === best ? 'inspector-score--best' : ''];
          return (
            <li key={i} className={classes.filter(Boolean).join(' ')} onMouseEnter={() => onCurrent(i)}>
              <span className="inspector-score__label" title={barName(i)}>
                {barName(i)}
                {i === best ? <span className="visually-hidden"> (highest)</span> : null}
              </span>
              <span className="inspector-score__track" aria-hidden="true">
                <span className="inspector-score__zero" style={{ left: `${zero * 100}%` }} />
                <span
                  className={v < 0 ? 'inspector-score__fill inspector-score__fill--negative' : 'inspector-score__fill'}
                  style={{ left: `${Math.min(zero, end) * 100}%`, width: `${Math.abs(end - zero) * 100}%` }}
                />
              </span>
              <span className="inspector-score__value">{formatNumber(v, 4)}</span>
            </li>
          );
        })}
      </ol>
      <p className="inspector-scores__axis muted" aria-hidden="true">
        <span>{formatNumber(low, 3)}</span>
        <span>{formatNumber(high, 3)}</span>
      </p>
      {values.length > shown ? <p className="muted">The first {shown} of {values.length} values.</p> : null}
    </div>
  );
}
