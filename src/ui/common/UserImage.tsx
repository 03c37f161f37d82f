import type { ClassProbability } from '../../training/protocol';
import { classNameOf, useClassNames, useImageShape } from './class-names';
import { DatasetImage, scaleToFit } from './DatasetImage';
import { ProbabilityBars } from './ProbabilityBars';

/** A person's image (0..255, at the dataset's size and channels) as the network sees it, about `pixels` wide. */
export function UserImagePicture({ pixels, size, label }: { pixels: Uint8Array; size: number; label: string }) {
  const shape = useImageShape();
  return <DatasetImage pixels={pixels} shape={shape} scale={scaleToFit(shape, size)} label={label} />;
}

/** The network's guess for a person's image, with its top 3 as bars. */
export function UserImageGuess({ top3 }: { top3: ClassProbability[] }) {
  const classNames = useClassNames();
  const guess = top3[0];
  return (
    <>
      <p className="user-image__guess">
        Prediction: <strong className="user-image__name">{guess ? classNameOf(classNames, guess.label) : '?'}</strong>
      </p>
      <ProbabilityBars top={top3} classNames={classNames} />
    </>
  );
}
