import { lazy, Suspense, useId, useMemo, useState } from 'react';
import { MAX_COMPARED_TRAINERS, MIN_COMPARED_TRAINERS, type ComparisonUpdate } from '../../comparison/protocol';
import { SEED_DEFINITION_TEXT } from '../../engine';
import type { TrainerSpec } from '../../engine';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { formatInteger } from '../common/format';
import { useThrottled } from '../common/useThrottled';
import type { AccuracyKind } from './ComparisonCharts';
import { ComparisonTable } from './ComparisonTable';
import { LineSample } from './LineSample';
import { TrainerConfigEditor } from './TrainerConfigEditor';
import {
  COMPARISON_SEED,
  DEFAULT_COMPARISON_TRAINERS,
  describeTrainer,
  nextTrainer,
  RUN_STYLES,
} from './trainer-configs';
import './comparison.css';
import { ErrorNotice } from '../common/ErrorNotice';

const ComparisonCharts = lazy(() => import('./ComparisonCharts'));
/** The charts redraw at most once a second, like the main loss chart. */
const CHART_REFRESH_MS = 1000;

/**
 * "Compare trainers": ConvNetJS's trainer comparison. Copies of the network in force
 * train side by side, one per trainer configuration, from the same initial weights on
 * the same examples, in their own worker; the main training pauses meanwhile.
 */
export function ComparisonPanel() {
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  const accuracyId = useId();
  // Each configuration keeps an id, so removing one does not hand its edits to the next.
  const [configs, setConfigs] = useState<{ id: number; trainer: TrainerSpec }[]>(() =>
    DEFAULT_COMPARISON_TRAINERS.map((t, id) => ({ id, trainer: { ...t } })),
  );
  const trainers = useMemo(() => configs.map((c) => c.trainer), [configs]);
  const [accuracy, setAccuracy] = useState<AccuracyKind>('validationAccuracy');
  /** Boxes holding a refused value, by configuration id and field label; Start waits until none is left. */
  const [fieldErrors, setFieldErrors] = useState<ReadonlyMap<string, { id: number; field: string; error: string }>>(new Map());
  const [startRefusal, setStartRefusal] = useState<string | null>(null);
  const network = useDashboard((s) => s.network);
  // The run's seed (the Run card's), so a comparison starts from the weights that seed draws.
  const seed = network?.seed ?? COMPARISON_SEED;
  const mainRunning = useDashboard((s) => s.stats?.running ?? false);
  const { status, update, error, pausedMainTraining } = useDashboard((s) => s.comparison);
  const actions = useDashboardActions();
  const runs = useThrottled(update?.runs ?? null, CHART_REFRESH_MS, (r) => r === null);
  const active = status === 'active' || status === 'starting';
  const paused = update?.phase === 'paused';
  const labels = useMemo(() => trainers.map(describeTrainer), [trainers]);

  function noteFieldError(id: number, field: string, error: string | null) {
    setFieldErrors((current) => {
      const key = `${id}/${field}`;
      if (error === null && !current.has(key)) return current;
      const next = new Map(current);
      if (error === null) next.delete(key);
      else next.set(key, { id, field, error });
      return next;
    });
    if (error === null) setStartRefusal(null);
  }

  function start() {
    const invalid = [...fieldErrors.values()].map(({ id, field, error }) => `Trainer ${configs.findIndex((c) => c.id === id) + 1}, ${field}: ${error}`);
    if (invalid.length > 0) {
      setStartRefusal(`Not started: fix ${invalid.length === 1 ? 'this field' : 'these fields'} first. ${invalid.join(' ')}`);
      return;
    }
    setStartRefusal(null);
    void actions.startComparison({
      definitionText: network?.definitionText ?? SEED_DEFINITION_TEXT,
      trainers,
      labels,
      seed,
    });
  }

  const shownRuns = runs ?? [];
  const examples = shownRuns.length > 0 ? Math.max(...shownRuns.map((r) => r.examples)) : 0;

  return (
    <Card
      title="Compare trainers"
      className="comparison-card"
      actions={
        <button
          type="button"
          className="button"
          aria-expanded={open}
          aria-controls={bodyId}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? 'Hide comparison' : 'Show comparison'}
        </button>
      }
    >
      <div id={bodyId} hidden={!open} className="comparison">
        <p className="muted">
          Trains one copy of the network in force when you press Start
          {network ? ` (now ${formatInteger(network.totalParams)} parameters)` : ' (the seed network until one is loaded)'}{' '}
          per trainer configuration, from the same initial weights (the run's seed, {seed}), on the same stream of training
          examples and crops, in a worker of its own. The main training pauses while a comparison runs.
        </p>

        <div className="comparison-configs">
          {configs.map(({ id, trainer }, i) => (
            <TrainerConfigEditor
              key={id}
              index={i}
              trainer={trainer}
              disabled={active}
              canRemove={configs.length > MIN_COMPARED_TRAINERS}
              onChange={(t) => setConfigs((list) => list.map((c) => (c.id === id ? { id, trainer: t } : c)))}
              onRemove={() => setConfigs((list) => list.filter((c) => c.id !== id))}
              onFieldError={(field, fieldError) => noteFieldError(id, field, fieldError)}
            />
          ))}
        </div>

        <div className="button-row">
          <button
            type="button"
            className="button"
            disabled={active || trainers.length >= MAX_COMPARED_TRAINERS}
            onClick={() =>
              setConfigs((list) => [
                ...list,
                { id: Math.max(...list.map((c) => c.id)) + 1, trainer: nextTrainer(list.map((c) => c.trainer)) },
              ])
            }
          >
            Add trainer
          </button>
          {active ? (
            <>
              <button
                type="button"
                className="button"
                disabled={status !== 'active'}
                onClick={() => void (paused ? actions.resumeComparison() : actions.pauseComparison())}
              >
                {paused ? 'Resume all' : 'Pause all'}
              </button>
              <button type="button" className="button" onClick={() => void actions.stopComparison()}>
                Stop
              </button>
            </>
          ) : (
            <button type="button" className="button button--primary" onClick={start}>
              Start comparison
            </button>
          )}
        </div>
        {active ? <p className="muted">Stop the comparison to change its trainers.</p> : null}

        <ErrorNotice message={startRefusal ?? error} />

        <p className="comparison__status" role="status">
          {statusText(status, update, examples, pausedMainTraining, mainRunning)}
        </p>

        {shownRuns.length > 0 ? (
          <>
            <ul className="comparison-legend" aria-label="Legend">
              {shownRuns.map((run, i) => {
                const style = RUN_STYLES[i % RUN_STYLES.length]!;
                return (
                  <li key={i}>
                    <LineSample color={style.color} dash={style.dash} />
                    {run.label}
                    <span className="visually-hidden"> ({style.dashName} line)</span>
                  </li>
                );
              })}
            </ul>
            <div className="field comparison__accuracy-choice">
              <label htmlFor={accuracyId}>Accuracy chart shows</label>
              <select id={accuracyId} value={accuracy} onChange={(e) => setAccuracy(e.target.value as AccuracyKind)}>
                <option value="validationAccuracy">validation accuracy</option>
                <option value="trainingAccuracy">training accuracy</option>
              </select>
            </div>
            <Suspense fallback={null}>
              <ComparisonCharts runs={shownRuns} accuracy={accuracy} />
            </Suspense>
            <ComparisonTable runs={shownRuns} />
          </>
        ) : null}
      </div>
    </Card>
  );
}

function statusText(
  status: string,
  update: ComparisonUpdate | null,
  examples: number,
  pausedMain: boolean,
  mainRunning: boolean,
): string {
  if (status === 'idle') return 'Pick 2 to 6 trainers, then Start comparison.';
  if (status === 'starting') return 'Starting the comparison…';
  if (status === 'stopped') return `Stopped after ${formatInteger(examples)} examples per trainer.`;
  const main = pausedMain
    ? ' Main training is paused while the comparison runs; Stop resumes it.'
    : mainRunning
      ? ' Main training is running too, so both share the processor and run slower.'
      : '';
  const phase = update?.phase;
  if (phase === 'waiting-for-data') return `${asSentence(update?.dataMessage ?? 'Waiting for data')}${main}`;
  if (update && update.runs.every((r) => r.stoppedReason !== null)) {
    return `Every trainer stopped because its loss diverged (see the table). Stop, change the trainers and start again.${main}`;
  }
  if (phase === 'paused') return `All trainers paused after ${formatInteger(examples)} examples each.${main}`;
  return `Training: ${formatInteger(examples)} examples per trainer.${main}`;
}

/** Ends a message with a full stop unless it has one ("Loading MNIST… 40%" -> "... 40%."). */
function asSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
