import { GrayscaleCanvas } from '../common/GrayscaleCanvas';
import { RgbCanvas } from '../common/RgbCanvas';
import { INPUT_COLOUR_RANGE } from '../common/rgb';
import type { LayerSummary } from '../../training/protocol';
import { receptiveField } from './receptive-field';

const INPUT_SCALE = 6;

interface ReceptiveFieldViewProps {
  layers: readonly LayerSummary[];
  layerIndex: number;
  x: number;
  y: number;
  /** Layer 0's output: the example as the network sees it. */
  input: Float32Array;
}

/** The input image with the pixels that position (x, y) of the layer can see outlined. */
export function ReceptiveFieldView({ layers, layerIndex, x, y, input }: ReceptiveFieldViewProps) {
  const inputShape = layers[0]!.out;
  const box = receptiveField(layers, layerIndex, x, y);
  const width = box.x1 - box.x0 + 1;
  const height = box.y1 - box.y0 + 1;
  const text =
    `Position (${x}, ${y}) of layer ${layerIndex} sees input pixels x ${box.x0}–${box.x1}, y ${box.y0}–${box.y1} ` +
    `(${width}x${height} of ${inputShape.sx}x${inputShape.sy}).`;
  return (
    <figure className="inspector-receptive">
      <div
        className="inspector-receptive__image"
        style={{ width: inputShape.sx * INPUT_SCALE, height: inputShape.sy * INPUT_SCALE }}
      >
        {inputShape.depth === 3 ? (
          // A colour input is drawn as the picture it is, not as its red channel.
          <RgbCanvas values={input} width={inputShape.sx} height={inputShape.sy} scale={INPUT_SCALE} range={INPUT_COLOUR_RANGE} label="The input example" />
        ) : (
          <GrayscaleCanvas
            values={input}
            width={inputShape.sx}
            height={inputShape.sy}
            depth={inputShape.depth}
            channel={0}
            scale={INPUT_SCALE}
            label="The input example"
          />
        )}
        <span
          className="inspector-receptive__box"
          aria-hidden="true"
          style={{ left: box.x0 * INPUT_SCALE, top: box.y0 * INPUT_SCALE, width: width * INPUT_SCALE, height: height * INPUT_SCALE }}
        />
      </div>
      <figcaption>{text}</figcaption>
    </figure>
  );
}
