import { augmentationFor, type AugmentationPolicy, type DatasetIdentity } from '../../data/dataset';
import { useDashboard } from '../../state/store';
import './header.css';

/** Page title and a short account of what is running, for someone arriving cold. */
export function Header() {
  const dataset = useDashboard((s) => s.dataset);
  const mnist = dataset.builtIn === 'mnist';
  return (
    <header className="page-header">
      {/* A loaded set's name is the person's words (or the default "MNIST-format dataset"), so it goes after "on", not before "convolutional". */}
      <h1>{mnist ? 'MNIST convolutional network' : `A convolutional network on ${dataset.name}`}, trained in your browser</h1>
      <div className="page-header__text">{mnist ? <MnistAccount /> : <LoadedDatasetAccount dataset={dataset} />}</div>
    </header>
  );
}

function MnistAccount() {
  return (
    <>
      <p>
        This page trains a small convolutional network on the MNIST handwritten digits with
        plain TypeScript in a background worker, so the page stays responsive while it learns.
        Validation accuracy passes 90% within seconds and climbs toward 99% as it keeps going.
      </p>
      <p>
        The default network takes a 24x24 grayscale image through two convolution layers (5x5
        filters, 8 then 16 of them, each followed by ReLU and max pooling) into a 10-way softmax,
        and is trained with Adadelta, a per-parameter adaptive method that needs no learning-rate
        tuning. You can switch to SGD with momentum or another method below.
      </p>
      <p>
        MNIST digits are 28x28, with some training digits held out to measure validation
        accuracy. Every training step sees a random 24x24 crop of a digit, which makes the
        network tolerant of small shifts.
        To predict, the network looks at four random crops of a test digit and averages their
        class probabilities.
      </p>
    </>
  );
}

/** How a loaded dataset's examples are varied, in the words of the MNIST account. */
function augmentationWords(policy: AugmentationPolicy): string {
  switch (policy.kind) {
    case 'random-crop':
      return `Every training step sees a random crop of an image; to predict, the network averages the class probabilities of ${policy.testTimeCrops} random crops.`;
    case 'shift-flip':
      return (
        `Every training step sees an image shifted by up to ${policy.maxShift} pixels` +
        `${policy.horizontalFlip ? ' and mirrored half of the time' : ''}; to predict, the network averages the ` +
        `class probabilities of the image as it is and ${policy.testTimeShifts} such variations.`
      );
    case 'none':
      return 'Every image is used as it is, for training and for prediction.';
  }
}

function LoadedDatasetAccount({ dataset }: { dataset: DatasetIdentity }) {
  const { name, width, height, channels, classNames } = dataset;
  const colour = channels === 3 ? 'colour' : 'grayscale';
  return (
    <>
      <p>
        This page trains a convolutional network on {name}, {width}x{height} {colour} images in{' '}
        {classNames.length} classes, loaded from your files and kept in this browser only, with plain
        TypeScript in background workers. Some training images are held out to measure validation accuracy.
      </p>
      <p>{augmentationWords(augmentationFor(width, height, channels))}</p>
      <p>The Dataset panel switches back to the built-in MNIST digits or to another dataset you load.</p>
    </>
  );
}
