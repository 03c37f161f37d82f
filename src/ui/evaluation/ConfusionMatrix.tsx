import { memo, useRef, useState, type KeyboardEvent } from 'react';
import { classNameOf, namesAreShort } from '../common/class-names';
import { formatInteger, formatPercent } from '../common/format';

export interface ConfusionCell {
  trueLabel: number;
  predicted: number;
}

interface ConfusionMatrixProps {
  /** counts[t][p]: images of true class t predicted as p. */
  counts: readonly (readonly number[])[];
  /** Per true class, the fraction right (null for a class without images). */
  accuracy: readonly (number | null)[];
  selected: ConfusionCell | null;
  onSelect(cell: ConfusionCell): void;
  /** The dataset's class names, on the axes and in every cell's description. */
  classNames: readonly string[];
  /** What a class is called in the caption: "digit" for MNIST, "class" otherwise. */
  classNoun: string;
  /** How the predictions were made, e.g. "4-crop". */
  viewNote: string;
}


/**
 * The confusion matrix as a table: rows are true classes, columns predicted classes,
 * the last column per-class accuracy. Each cell is a button (count inside, the full
 * sentence as its tooltip and accessible name) that shows that cell's images. Cells are
 * tinted by their share of the row: the diagonal green, mistakes red.
 *
 * Keyboard: the grid is one tab stop; the arrow keys, Home and End move between cells and
 * Enter or Space shows the focused cell (a hundred tab stops would bury the rest of the page).
 */
export const ConfusionMatrix = memo(function ConfusionMatrix({
  counts,
  accuracy,
  selected,
  onSelect,
  classNames,
  classNoun,
  viewNote,
}: ConfusionMatrixProps) {
  const classes = counts.map((_, i) => i);
  const name = (label: number) => classNameOf(classNames, label);
  // Long names stand on their side in the column headers, so the columns stay as narrow as their counts.
  const sideways = !namesAreShort(classNames);
  const tableRef = useRef<HTMLTableElement>(null);
  const [active, setActive] = useState<ConfusionCell>({ trueLabel: 0, predicted: 0 });
  const tabStop = active;

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>, t: number, p: number) {
    const last = counts.length - 1;
    const moves: Record<string, [number, number]> = {
      ArrowUp: [Math.max(0, t - 1), p],
      ArrowDown: [Math.min(last, t + 1), p],
      ArrowLeft: [t, Math.max(0, p - 1)],
      ArrowRight: [t, Math.min(last, p + 1)],
      Home: [t, 0],
      End: [t, last],
    };
    const next = moves[e.key];
    if (!next) return;
    e.preventDefault();
    setActive({ trueLabel: next[0], predicted: next[1] });
    tableRef.current?.querySelector<HTMLButtonElement>(`button[data-cell="${next[0]}-${next[1]}"]`)?.focus();
  }

  return (
    <table className="confusion" ref={tableRef}>
      <caption>
        Confusion matrix: rows are the true {classNoun}, columns the predicted {classNoun} ({viewNote}). Select a cell to see
        its images.
      </caption>
      <thead>
        <tr>
          <th scope="col" className="confusion__corner">
            <span className="visually-hidden">True {classNoun}</span>
            <span aria-hidden="true">true ↓ / predicted →</span>
          </th>
          {classes.map((p) => (
            <th key={p} scope="col" title={name(p)} className={sideways ? 'confusion__column confusion__column--sideways' : 'confusion__column'}>
              <span className="confusion__name">{name(p)}</span>
            </th>
          ))}
          <th scope="col">Accuracy</th>
        </tr>
      </thead>
      <tbody>
        {counts.map((row, t) => {
          const rowTotal = row.reduce((a, b) => a + b, 0);
          return (
            <tr key={t}>
              <th scope="row" title={name(t)} className="confusion__row">
                <span className="confusion__name">{name(t)}</span>
              </th>
              {row.map((count, p) => {
                const share = rowTotal > 0 ? count / rowTotal : 0;
                const diagonal = p === t;
                const isSelected = selected?.trueLabel === t && selected.predicted === p;
                const description = `True ${name(t)}, predicted ${name(p)}: ${formatInteger(count)} of ${formatInteger(rowTotal)} images (${formatPercent(share)})`;
                return (
                  <td
                    key={p}
                    className={`confusion__cell${diagonal ? ' confusion__cell--diagonal' : ''}${isSelected ? ' confusion__cell--selected' : ''}`}
                    style={{ backgroundColor: cellTint(share, diagonal, count) }}
                  >
                    <button
                      type="button"
                      title={description}
                      aria-label={description}
                      aria-pressed={isSelected}
                      data-cell={`${t}-${p}`}
                      tabIndex={tabStop.trueLabel === t && tabStop.predicted === p ? 0 : -1}
                      onFocus={() => setActive({ trueLabel: t, predicted: p })}
                      onKeyDown={(e) => onKeyDown(e, t, p)}
                      onClick={() => onSelect({ trueLabel: t, predicted: p })}
                    >
                      {count}
                    </button>
                  </td>
                );
              })}
              <td className="confusion__accuracy">{formatPercent(accuracy[t])}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
});

/**
 * Diagonal cells shade with their share of the row; mistakes are rare (a few percent),
 * so their tint grows ten times faster to stay visible.
 */
function cellTint(share: number, diagonal: boolean, count: number): string | undefined {
  if (diagonal) return `rgba(29, 138, 74, ${(0.12 + 0.45 * share).toFixed(3)})`;
  if (count === 0) return undefined;
  return `rgba(197, 48, 48, ${(0.08 + 0.5 * Math.min(1, share * 10)).toFixed(3)})`;
}
