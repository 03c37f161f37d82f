/**
 * Time of the data side of one training step, for `npm run bench`: picking the next
 * example of the shuffled epoch order, the random crop into the input Volume (with the
 * pixel/255 - 0.5 conversion; the same fill training runs, by the dataset's policy) and reading its label: everything the training loop does
 * per example except trainer.train. Compare it with the engine's step time.
 */
import { createInputVolume } from '../../src/data/augment';
import { MNIST_SHAPE } from '../../src/data/dataset';
import { fillTrainingInput } from '../../src/data/dataset-inputs';
import type { MnistSet } from '../../src/data/mnist';
import { Rng } from '../../src/engine/rng';
import type { Shape } from '../../src/engine/spec';

export interface DataOverhead {
  examples: number;
  microsecondsPerExample: number;
}

export function measureDataOverhead(set: MnistSet, inputShape: Shape, examples = 200_000, seed = 1): DataOverhead {
  const rng = new Rng(seed);
  const order = Int32Array.from({ length: set.count }, (_, i) => i);
  rng.shuffle(order);
  const input = createInputVolume(inputShape);
  let labelSum = 0;
  const pass = (n: number) => {
    for (let k = 0; k < n; k++) {
      const i = order[k % order.length];
      fillTrainingInput(input, MNIST_SHAPE, set, i, rng);
      labelSum += set.labels[i];
    }
  };
  pass(Math.min(examples, 20_000)); // warm-up, so the JIT has compiled the loop
  const start = performance.now();
  pass(examples);
  const ms = performance.now() - start;
  // labelSum keeps the loop observable, so it cannot be optimised away.
  if (labelSum < 0) throw new Error('unreachable');
  return { examples, microsecondsPerExample: (ms * 1000) / examples };
}
