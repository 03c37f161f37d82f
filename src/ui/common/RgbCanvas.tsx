import { useLayoutEffect, useRef } from 'react';
import type { ValueRange } from './grayscale';
import { paintRgb, type RgbImage } from './rgb';
import './common.css';

interface RgbCanvasProps extends RgbImage {
  scale: number;
  /** The value range mapped to 0..255 on every channel; omitted, the image's own min..max. */
  range?: ValueRange;
  /** Accessible description; pictures without one are decorative. */
  label?: string;
  className?: string;
}

/**
 * A canvas showing an RGB image in colour (GrayscaleCanvas's counterpart), redrawn when
 * its values change; the values array's identity is the change signal.
 */
export function RgbCanvas({ values, width, height, offset, scale, range, label, className }: RgbCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const s = Math.max(1, Math.floor(scale));
  const min = range?.min;
  const max = range?.max;
  // Painted in the commit, before the browser shows it: a passive effect runs after the
  // paint, so a new canvas would show as an empty (black) box for a frame.
  useLayoutEffect(() => {
    const context = ref.current?.getContext('2d');
    if (!context) return; // jsdom
    const pixels = context.createImageData(width * s, height * s);
    paintRgb(pixels, { values, width, height, offset }, s, min !== undefined && max !== undefined ? { min, max } : undefined);
    context.putImageData(pixels, 0, 0);
  }, [values, width, height, offset, s, min, max]);
  return (
    <canvas
      ref={ref}
      className={className ? `gray-canvas ${className}` : 'gray-canvas'}
      width={width * s}
      height={height * s}
      data-channels="rgb"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    />
  );
}
