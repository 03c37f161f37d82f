import { Card } from '../common/Card';
import { formatInteger, formatNumber, formatPercent } from '../common/format';
import { useDashboard, useDashboardActions } from '../../state/store';
import { DataStatus } from './DataStatus';
import { TrainingThreadsPicker } from './TrainingThreadsPicker';
import type { TrainingStats as Stats } from '../../training/protocol';
import './stats.css';

/** What the Stats list shows, in order: label and how to read it off the statistics. */
const STAT_ROWS: ReadonlyArray<{ label: string; read: (s: Stats) => string }> = [
  { label: 'Forward time per example', read: (s) => `${formatNumber(s.forwardMs, 2)} ms` },
  { label: 'Backprop time per example', read: (s) => `${formatNumber(s.backwardMs, 2)} ms` },
  { label: 'Classification loss', read: (s) => formatNumber(s.classificationLoss) },
  { label: 'L2 weight decay loss', read: (s) => formatNumber(s.l2DecayLoss) },
  { label: 'Training accuracy', read: (s) => formatPercent(s.trainingAccuracy) },
  { label: 'Validation accuracy', read: (s) => formatPercent(s.validationAccuracy) },
  { label: 'Examples seen', read: (s) => formatInteger(s.examplesSeen) },
  { label: 'Examples per second', read: (s) => formatInteger(s.examplesPerSecond) },
  // Time spent training, without pauses and full-test evaluations: what "time to 99%" is counted in.
  { label: 'Training time', read: (s) => trainingTimeText(s.trainingSeconds) },
];

function trainingTimeText(seconds: number | undefined): string {
  if (seconds === undefined) return formatNumber(seconds);
  if (seconds < 60) return `${formatNumber(seconds, 1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.floor(seconds - minutes * 60)).padStart(2, '0')} s`;
}

function threadsText(s: Stats): string {
  const threads = s.trainingThreads ?? 1;
  if (threads === 1) return '1';
  return `${threads} (${s.sharedMemory ? 'shared memory' : 'messages: the page is not cross-origin isolated'})`;
}

/** Step trains up to the next weight update: one mini-batch of batch_size examples, not one example. */
function stepDescription(batchSize: number | null): string {
  if (batchSize === null) return 'Train one mini-batch (one weight update)';
  const examples = batchSize === 1 ? '1 example' : `${batchSize} examples`;
  return `Train one mini-batch (${examples}, one weight update)`;
}

export function TrainingStats() {
  const stats = useDashboard((s) => s.stats);
  const dataReady = useDashboard((s) => s.data.phase === 'ready');
  const batchSize = useDashboard((s) => s.network?.trainer.batch_size ?? null);
  const actions = useDashboardActions();
  const running = stats?.running ?? false;
  const controlsEnabled = dataReady && stats !== null;

  return (
    <Card
      title="Training Stats"
      className="stats-card"
      actions={
        <>
          <button
            type="button"
            className="button button--primary"
            disabled={!controlsEnabled}
            onClick={() => void (running ? actions.pause() : actions.resume())}
          >
            {running ? 'Pause' : 'Resume'}
          </button>
          <button
            type="button"
            className="button"
            disabled={!controlsEnabled || running}
            title={running ? 'Pause first, then step one mini-batch at a time' : stepDescription(batchSize)}
            onClick={() => void actions.step()}
          >
            Step
          </button>
        </>
      }
    >
      <DataStatus />
      {stats?.pausedReason ? (
        <p className="notice notice--warning" role="alert">
          Training paused: {stats.pausedReason}
        </p>
      ) : null}
      <dl className="stat-list">
        {STAT_ROWS.map(({ label, read }) => (
          <div className="stat-list__row" key={label}>
            <dt>{label}</dt>
            <dd>{stats ? read(stats) : '–'}</dd>
          </div>
        ))}
        <div className="stat-list__row">
          <dt>
            <TrainingThreadsPicker disabled={!controlsEnabled} />
          </dt>
          <dd>{stats ? threadsText(stats) : '–'}</dd>
        </div>
      </dl>
    </Card>
  );
}
