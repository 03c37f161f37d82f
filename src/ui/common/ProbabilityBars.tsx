import type { ClassProbability } from '../../training/protocol';
import './common.css';

interface ProbabilityBarsProps {
  top: ClassProbability[];
  /** When known, the true class is drawn green and the others red (as in the original demo). */
  trueLabel?: number;
}

/** The top-k classes as labelled horizontal bars whose width is the probability. */
export function ProbabilityBars({ top, trueLabel }: ProbabilityBarsProps) {
  return (
    <ol className="prob-bars">
      {top.map(({ label, probability }, rank) => {
        const tone = trueLabel === undefined ? 'neutral' : label === trueLabel ? 'correct' : 'wrong';
        const percent = Math.max(0, Math.min(1, probability)) * 100;
        return (
          // Keyed by rank: the same rows are refilled when the classes change (grids reuse items).
          <li key={rank} className={`prob-bar prob-bar--${tone}`}>
            <span className="prob-bar__label">{label}</span>
            <span className="prob-bar__track" aria-hidden="true">
              <span className="prob-bar__fill" style={{ width: `${percent}%` }} />
            </span>
            <span className="prob-bar__value">{percent.toFixed(percent >= 99.95 ? 0 : 1)}%</span>
          </li>
        );
      })}
    </ol>
  );
}
