import type { KeyboardEvent } from 'react';
import { formatNumber } from '../common/format';

/** At most this many bars; a wider layer shows its first ones and says so. */
const MAX_BARS = 200;

interface ScoreBarsProps {
  values: Float32Array;
  /** "class" for 10 outputs of the last layers, "neuron" otherwise. */
  unit: 'class' | 'neuron';
  current: number;
  onCurrent(index: number): void;
  label: string;
  readoutId: string;
}

/**
 * A 1x1xN layer's values as bars (class scores for fc/softmax): length is |value| over the
 * largest |value|, negative values drawn to the left in another colour. Arrow keys pick a bar.
 */
export function ScoreBars({ values, unit, current, onCurrent, label, readoutId }: ScoreBarsProps) {
  const shown = Math.min(values.length, MAX_BARS);
  let largest = 0;
  for (let i = 0; i < shown; i++) if (Number.isFinite(values[i]!)) largest = Math.max(largest, Math.abs(values[i]!));
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
          const fraction = largest > 0 && Number.isFinite(v) ? Math.abs(v) / largest : 0;
          return (
            <li
              key={i}
              className={i === current ? 'inspector-score inspector-score--current' : 'inspector-score'}
              onMouseEnter={() => onCurrent(i)}
            >
              <span className="inspector-score__label">
                {unit} {i}
              </span>
              <span className="inspector-score__track" aria-hidden="true">
                <span
                  className={v < 0 ? 'inspector-score__fill inspector-score__fill--negative' : 'inspector-score__fill'}
                  style={{ width: `${fraction * 100}%` }}
                />
              </span>
              <span className="inspector-score__value">{formatNumber(v, 4)}</span>
            </li>
          );
        })}
      </ol>
      {values.length > shown ? <p className="muted">The first {shown} of {values.length} values.</p> : null}
    </div>
  );
}
