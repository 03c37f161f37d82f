/**
 * Checkpoints name their dataset; one made for another shape is refused with a message
 * naming both datasets, and a damaged dataset field is refused like any other field.
 */
import { describe, expect, it } from 'vitest';
import { MNIST_IDENTITY } from '../../../src/data/dataset';
import { checkpointProblem } from '../../../src/training/checkpoint';
import { MNIST_SESSION_DATASET, type SessionDataset } from '../../../src/training/session/model';
import { checkpointDatasetProblem, snapshotDatasetProblem, snapshotWithDataset } from '../../../src/training/session/run-checkpoint';
import { tinyCheckpoint } from '../helpers/checkpoint-fixture';

const SHAPES: SessionDataset = {
  ...MNIST_SESSION_DATASET,
  name: 'Shapes',
  classNames: ['circle', 'square', 'triangle'],
  source: { kind: 'local', format: 'idx', fingerprint: 'f'.repeat(64) },
};
const CIFAR_LIKE: SessionDataset = { ...SHAPES, name: 'Colour', width: 32, height: 32, channels: 3, classNames: [...'abcdefghij'] };

describe('the dataset in a checkpoint', () => {
  it('is recorded by the session: its name, shape and classes', async () => {
    const checkpoint = await tinyCheckpoint();
    expect(checkpoint.dataset).toEqual(MNIST_IDENTITY);
    expect(checkpointProblem(checkpoint)).toBeNull();
  });

  it('lets a checkpoint go on with a dataset of the same shape and class count', async () => {
    const checkpoint = await tinyCheckpoint();
    expect(checkpointDatasetProblem(checkpoint, MNIST_SESSION_DATASET)).toBeNull();
    // Made before checkpoints named a dataset: MNIST.
    expect(checkpointDatasetProblem({ dataset: undefined }, MNIST_SESSION_DATASET)).toBeNull();
  });

  it('refuses another shape or class count, naming both datasets', async () => {
    const checkpoint = await tinyCheckpoint();
    expect(checkpointDatasetProblem(checkpoint, SHAPES)).toBe(
      'it was made for MNIST (28x28x1, 10 classes), but this page trains on Shapes (28x28x1, 3 classes); ' +
        'choose MNIST in the Dataset panel to go on with it',
    );
    expect(checkpointDatasetProblem(checkpoint, CIFAR_LIKE)).toMatch(/MNIST \(28x28x1, 10 classes\).*Colour \(32x32x3, 10 classes\)/);
  });

  it('is checked like every other field when read back', async () => {
    const checkpoint = await tinyCheckpoint();
    expect(checkpointProblem({ ...checkpoint, dataset: { ...MNIST_IDENTITY, channels: 2 } })).toBe('dataset.channels must be 1 or 3');
    expect(checkpointProblem({ ...checkpoint, dataset: { ...MNIST_IDENTITY, classNames: ['one'] } })).toMatch(/at least two/);
    expect(checkpointProblem({ ...checkpoint, dataset: 'MNIST' })).toMatch(/dataset must be an object/);
  });
});

describe('the dataset in a snapshot', () => {
  const snapshot = '{"layers":[{"layer_type":"input","out_sx":28,"out_sy":28,"out_depth":1}]}';

  it('is written as the first key, keeping the layers ConvNetJS reads', () => {
    const written = snapshotWithDataset(snapshot, SHAPES);
    const parsed = JSON.parse(written) as { dataset: { name: string; classNames: string[] }; layers: unknown[] };
    expect(parsed.dataset).toMatchObject({ name: 'Shapes', classNames: ['circle', 'square', 'triangle'] });
    expect(parsed.layers).toEqual(JSON.parse(snapshot).layers);
  });

  it('refuses loading on another shape, naming both datasets; a snapshot naming none is left to the loader', () => {
    const written = snapshotWithDataset(snapshot, MNIST_SESSION_DATASET);
    expect(snapshotDatasetProblem(written, MNIST_SESSION_DATASET)).toBeNull();
    expect(snapshotDatasetProblem(written, CIFAR_LIKE)).toBe(
      'The snapshot cannot be loaded: it was made for MNIST (28x28x1, 10 classes), but this page trains on ' +
        'Colour (32x32x3, 10 classes); choose MNIST in the Dataset panel to load it.',
    );
    expect(snapshotDatasetProblem(snapshot, CIFAR_LIKE)).toBeNull();
    expect(snapshotDatasetProblem('{"dataset": nope', CIFAR_LIKE)).toBeNull();
  });
});
