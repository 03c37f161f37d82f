import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useDashboard, useDashboardActions } from '../../state/store';
import type { DatasetIdentity, DatasetLoadProgress, StoredDatasetInfo } from '../../training/protocol';
import { Card } from '../common/Card';
import { ErrorNotice } from '../common/ErrorNotice';
import { DatasetLoadForm } from './DatasetLoadForm';
import './dataset.css';

/** Class names listed in full up to this many; past it, the first ones and a count. */
const LISTED_CLASSES = 12;

function shapeOf(dataset: Pick<DatasetIdentity, 'width' | 'height' | 'channels'>): string {
  return `${dataset.width} x ${dataset.height}, ${dataset.channels === 3 ? 'colour' : 'gray'}`;
}

function classList(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_CLASSES).join(', ');
  return names.length > LISTED_CLASSES ? `${shown} and ${names.length - LISTED_CLASSES} more` : shown;
}

const PHASES: Record<DatasetLoadProgress['phase'], string> = {
  reading: 'Reading files',
  decoding: 'Decoding images',
  checking: 'Checking the dataset',
  storing: 'Keeping it in this browser',
};

/**
 * The Dataset panel: the dataset in force, the choice between the built-in MNIST and the
 * datasets kept in this browser (each can be forgotten), and loading new ones. Every
 * refusal names the file and the problem and changes nothing.
 */
export function DatasetPanel() {
  const actions = useDashboardActions();
  const dataset = useDashboard((s) => s.dataset);
  const { choice, kept, status, progress, error, skipped } = useDashboard(useShallow((s) => s.datasetPanel));
  useEffect(() => {
    void actions.refreshDatasets();
  }, [actions]);
  const inForce = dataset.fingerprint ? kept.find((info) => info.id === dataset.fingerprint) : undefined;
  const chosenId = choice.kind === 'stored' ? choice.id : null;

  return (
    <Card title="Dataset" className="dataset-card">
      <div role="group" aria-label="Dataset in force">
        <dl className="dataset-facts">
          <dt>Training on</dt>
          <dd>{dataset.name}</dd>
          <dt>Images</dt>
          <dd>{shapeOf(dataset)}</dd>
          <dt>Classes</dt>
          <dd>
            {dataset.classNames.length}: {classList(dataset.classNames)}
          </dd>
          <dt>Examples</dt>
          <dd>{inForce ? `${inForce.trainCount.toLocaleString('en')} training, ${inForce.testCount.toLocaleString('en')} test` : dataset.builtIn ? '60,000 training, 10,000 test' : 'kept in this browser'}</dd>
        </dl>
      </div>
      <fieldset className="dataset-choice" disabled={status === 'loading'}>
        <legend>Train on</legend>
        <label className="dataset-choice__option">
          <input type="radio" name="dataset-choice" checked={chosenId === null} onChange={() => void actions.chooseDataset({ kind: 'built-in' })} />
          MNIST (built in)
        </label>
        {kept.map((info) => (
          <KeptDataset key={info.id} info={info} chosen={info.id === chosenId} />
        ))}
      </fieldset>
      <DatasetLoadForm />
      {status === 'loading' ? <LoadProgress progress={progress} /> : null}
      <ErrorNotice message={error} />
      {status === 'loaded' ? <p className="notice notice--ok" role="status">Dataset loaded and kept; training starts on it.</p> : null}
      {skipped ? (
        <details className="dataset-skipped">
          <summary>
            {Object.values(skipped.counts).reduce<number>((sum, n) => sum + (n ?? 0), 0)} files skipped:{' '}
            {Object.entries(skipped.counts)
              .map(([reason, count]) => `${count} ${reason}`)
              .join(', ')}
          </summary>
          <ul>
            {skipped.examples.map((file) => (
              <li key={file.path}>
                {file.path}: {file.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Card>
  );
}

function KeptDataset({ info, chosen }: { info: StoredDatasetInfo; chosen: boolean }) {
  const actions = useDashboardActions();
  const { identity } = info;
  return (
    <div className="dataset-choice__kept">
      <label className="dataset-choice__option">
        <input type="radio" name="dataset-choice" checked={chosen} onChange={() => void actions.chooseDataset({ kind: 'stored', id: info.id })} />
        {identity.name}
        <span className="muted">
          {' '}
          ({shapeOf(identity)}, {identity.classNames.length} classes, {info.trainCount + info.testCount} images, {Math.max(0.1, info.bytes / 1048576).toFixed(1)} MB)
        </span>
      </label>
      <button type="button" className="button" aria-label={`Forget ${identity.name}`} onClick={() => void actions.forgetDataset(info.id)}>
        Forget this dataset
      </button>
    </div>
  );
}

function LoadProgress({ progress }: { progress: DatasetLoadProgress | null }) {
  const label = progress ? `${PHASES[progress.phase]}${progress.total > 1 ? `: ${progress.done} of ${progress.total}` : ''}` : 'Starting';
  const known = progress !== null && progress.total > 0;
  return (
    <div className="dataset-progress">
      <label htmlFor="dataset-progress-bar">{label}</label>
      <progress id="dataset-progress-bar" max={known ? progress.total : undefined} value={known ? Math.min(progress.done, progress.total) : undefined} />
    </div>
  );
}
