import type { ClassProbability } from '../../training/protocol';
import { GrayscaleCanvas } from './GrayscaleCanvas';
import { ProbabilityBars } from './ProbabilityBars';

const PIXEL_RANGE = { min: 0, max: 255 };

/** A person's 28x28 image (0..255) as the network sees it. */
export function UserImagePicture({ pixels, scale, label }: { pixels: Uint8Array; scale: number; label: string }) {
  return <GrayscaleCanvas values={pixels} width={28} height={28} scale={scale} range={PIXEL_RANGE} label={label} />;
}

/** The network's guess for a person's image, with its top 3 as bars. */
export function UserImageGuess({ top3 }: { top3: ClassProbability[] }) {
  const guess = top3[0];
  return (
    <>
      <p className="user-image__guess">
        Prediction: <strong>{guess ? guess.label : '?'}</strong>
      </p>
      <ProbabilityBars top={top3} />
    </>
  );
}
