import type { ClassProbability } from '../../training/protocol';
import { classNameOf } from './class-names';
import './common.css';

interface ProbabilityBarsProps {
  top: ClassProbability[];
  /** The dataset's class names; a bar is labelled with its class's name. */
  classNames: readonly string[];
  /** When known, the true class is drawn green and the others red (as in the original demo). */
  trueLabel?: number;
}

/**
 * The top-k classes as labelled horizontal bars whose width is the probability. A long
 * class name is cut short with an ellipsis and given whole in its tooltip.
 */
export function ProbabilityBars({ top, classNames, trueLabel }: ProbabilityBarsProps) {
  return (
    <ol className="prob-bars">
      {top.map(({ label, probability }, rank) => {
        const tone = trueLabel === undefined ? 'neutral' : label === trueLabel ? 'correct' : 'wrong';
        const percent = Math.max(0, Math.min(1, probability)) * 100;
        const name = classNameOf(classNames, label);
        return (
          // Keyed by rank: the same rows are refilled when the classes change (grids reuse items).
          <li key={rank} className={`prob-bar prob-bar--${tone}`}>
            <span className="prob-bar__label" title={name}>
              {name}
            </span>
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
