import { GrayscaleCanvas } from './GrayscaleCanvas';
import { RgbCanvas } from './RgbCanvas';

const PIXEL_RANGE = { min: 0, max: 255 };

/** The size of a dataset's images; DatasetIdentity has it. */
export interface ImageShape {
  width: number;
  height: number;
  channels: 1 | 3;
}

interface DatasetImageProps {
  /** One image's bytes, width * height * channels (HWC, 0..255). */
  pixels: Uint8Array;
  shape: ImageShape;
  scale: number;
  label?: string;
}

/** A dataset image as it is: gray for one channel, colour for three. */
export function DatasetImage({ pixels, shape, scale, label }: DatasetImageProps) {
  const { width, height, channels } = shape;
  return channels === 3 ? (
    <RgbCanvas values={pixels} width={width} height={height} scale={scale} range={PIXEL_RANGE} label={label} />
  ) : (
    <GrayscaleCanvas values={pixels} width={width} height={height} scale={scale} range={PIXEL_RANGE} label={label} />
  );
}

/** The scale that draws an image about `pixels` wide whatever its size (28 at 2x is 56). */
export function scaleToFit(shape: ImageShape, pixels: number): number {
  return Math.max(1, Math.round(pixels / Math.max(shape.width, shape.height)));
}
