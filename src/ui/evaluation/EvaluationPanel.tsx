import { memo, useMemo, useState } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import {
  evaluationConfusion,
  imagesInCell,
  mostConfidentlyWrong,
  perClassAccuracy,
  type TestEvaluation,
} from '../../training/evaluation';
import { Card } from '../common/Card';
import { classNameOf, useClassNames } from '../common/class-names';
import { formatInteger, formatPercent } from '../common/format';
import { ConfusionMatrix, type ConfusionCell } from './ConfusionMatrix';
import { TestImageGallery } from './TestImageGallery';
import './evaluation.css';
import { ErrorNotice } from '../common/ErrorNotice';

/** Images shown for one confusion-matrix cell (the diagonal ones hold about a thousand). */
const CELL_IMAGES = 40;
/** Size of the "Most confidently wrong" gallery. */
const WRONG_IMAGES = 20;

/**
 * "Evaluate on full test set": runs every test image through a copy of the current
 * weights on the training threads (training waits for it there), and shows accuracy, the confusion matrix,
 * per-class accuracy, the images of any cell and the most confidently wrong ones.
 */
export function EvaluationPanel() {
  const actions = useDashboardActions();
  const evaluation = useDashboard((s) => s.evaluation);
  const hasNetwork = useDashboard((s) => s.network !== null);
  const running = evaluation.status === 'running';
  const words = useEvaluationWords();

  return (
    <Card title="Test set evaluation" className="evaluation-card">
      <p className="muted">
        Every test image, {words.how}, on a copy of the weights taken when you start. The run stays
        on: with several training threads, training waits for the evaluation, which takes every thread;
        with one, the two share it. The training time leaves the evaluation out.
      </p>
      <div className="button-row">
        <button
          type="button"
          className="button button--primary"
          disabled={running || !hasNetwork}
          onClick={() => void actions.evaluateTestSet()}
        >
          Evaluate on full test set
        </button>
        {running ? (
          <button type="button" className="button" onClick={() => actions.cancelEvaluation()}>
            Cancel
          </button>
        ) : null}
      </div>
      {running ? (
        <div className="evaluation__progress">
          <progress
            aria-label="Evaluating test set"
            max={Math.max(1, evaluation.total)}
            value={evaluation.done}
          />
          <span aria-live="polite">
            {evaluation.total > 0
              ? `${formatInteger(evaluation.done)} of ${formatInteger(evaluation.total)} images`
              : 'Starting…'}
          </span>
        </div>
      ) : null}
      {evaluation.status === 'cancelled' ? <p className="muted">Evaluation cancelled.</p> : null}
      <ErrorNotice message={evaluation.status === 'error' ? evaluation.error : null} />
      {evaluation.result ? <EvaluationResult result={evaluation.result} /> : null}
    </Card>
  );
}

/** How the panel words MNIST: digits, the 4-crop average and the centre crop. */
const MNIST_WORDS = {
  classNoun: 'digit',
  averaged: '4-crop',
  averagedTerm: '4-crop',
  single: 'Center-crop',
  how: 'with the 4-crop average and with the center crop alone',
};

/** How it words any other dataset: classes, the average over the test-time views, and the single view. */
const DATASET_WORDS: typeof MNIST_WORDS = {
  classNoun: 'class',
  averaged: 'view-averaged',
  averagedTerm: 'View-averaged',
  single: 'Single-view',
  how: 'averaged over its test-time views and as a single view',
};

function useEvaluationWords(): typeof MNIST_WORDS {
  return useDashboard((s) => (s.dataset.builtIn === 'mnist' ? MNIST_WORDS : DATASET_WORDS));
}

/**
 * The last result. Memoised on it: a running evaluation's progress (ten updates a second)
 * re-renders the panel, which would redraw the previous result's matrix and gallery each
 * time on a main thread that shares the machine's cores with the evaluation.
 */
const EvaluationResult = memo(function EvaluationResult({ result }: { result: TestEvaluation }) {
  const classNames = useClassNames();
  const words = useEvaluationWords();
  const name = (label: number) => classNameOf(classNames, label);
  const counts = useMemo(() => evaluationConfusion(result), [result]);
  const accuracy = useMemo(() => perClassAccuracy(counts), [counts]);
  const wrong = useMemo(() => mostConfidentlyWrong(result, WRONG_IMAGES), [result]);
  const [selected, setSelected] = useState<ConfusionCell | null>(null);
  const cellImages = useMemo(
    () => (selected ? imagesInCell(result, selected.trueLabel, selected.predicted) : []),
    [result, selected],
  );
  const total = result.total;

  return (
    <div className="evaluation__result">
      <dl className="evaluation__summary">
        <AccuracyTerm term={`${words.averagedTerm} accuracy`} correct={result.fourCropCorrect} total={total} />
        <AccuracyTerm term={`${words.single} accuracy`} correct={result.centerCorrect} total={total} />
        <div>
          <dt>Weights after</dt>
          <dd>{formatInteger(result.examplesSeen)} examples</dd>
        </div>
      </dl>
      <div className="evaluation__matrix">
        <ConfusionMatrix
          counts={counts}
          accuracy={accuracy}
          selected={selected}
          onSelect={setSelected}
          classNames={classNames}
          classNoun={words.classNoun}
          viewNote={words.averaged}
        />
      </div>
      {selected ? (
        <section className="evaluation__gallery" aria-label="Images of the selected cell">
          <h3>
            True {name(selected.trueLabel)}, predicted {name(selected.predicted)}: {formatInteger(cellImages.length)} image
            {cellImages.length === 1 ? '' : 's'}
            {cellImages.length > CELL_IMAGES ? ` (the first ${CELL_IMAGES} shown)` : ''}
          </h3>
          <TestImageGallery
            evaluation={result}
            indices={cellImages.slice(0, CELL_IMAGES)}
            label={`Test images of true ${name(selected.trueLabel)} predicted ${name(selected.predicted)}`}
          />
        </section>
      ) : null}
      <section className="evaluation__gallery" aria-label="Most confidently wrong">
        <h3>Most confidently wrong</h3>
        <p className="muted">The mistakes the network was surest of, by the probability it gave the wrong {words.classNoun}.</p>
        <TestImageGallery evaluation={result} indices={wrong} label="Most confidently wrong test images" />
      </section>
    </div>
  );
});

/** One accuracy of the summary: the percentage, and the count it comes from. */
function AccuracyTerm({ term, correct, total }: { term: string; correct: number; total: number }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>
        {formatPercent(correct / total, 2)}{' '}
        <span className="muted">
          ({formatInteger(correct)} of {formatInteger(total)})
        </span>
      </dd>
    </div>
  );
}
