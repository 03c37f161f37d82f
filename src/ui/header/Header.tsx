import './header.css';

/** Page title and a short account of what is running, for someone arriving cold. */
export function Header() {
  return (
    <header className="page-header">
      <h1>MNIST convolutional network, trained in your browser</h1>
      <div className="page-header__text">
        <p>
          This page trains a small convolutional network on the MNIST handwritten digits with
          plain TypeScript in a background worker, so the page stays responsive while it learns.
          Validation accuracy passes 90% within the first minute and climbs toward 99% as it keeps going.
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
      </div>
    </header>
  );
}
