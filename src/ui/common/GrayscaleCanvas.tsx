import { useEffect, useRef } from 'react';
import { drawGrayscale, type GrayscaleImage, type GrayscaleOptions } from './grayscale';

interface GrayscaleCanvasProps extends GrayscaleImage, GrayscaleOptions {
  /** Accessible description; maps without one are decorative. */
  label?: string;
  className?: string;
}

/**
 * A canvas that redraws whenever its values change. The values array's identity is the
 * change signal: snapshots arrive as fresh typed arrays, so no deep comparison is needed.
 */
export function GrayscaleCanvas({ label, className, values, width, height, depth, channel, offset, scale, range }: GrayscaleCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const min = range?.min;
  const max = range?.max;
  useEffect(() => {
    if (!ref.current) return;
    drawGrayscale(
      ref.current,
      { values, width, height, depth, channel, offset },
      { scale, range: min !== undefined && max !== undefined ? { min, max } : undefined },
    );
  }, [values, width, height, depth, channel, offset, scale, min, max]);
  return (
    <canvas
      ref={ref}
      className={className ? `gray-canvas ${className}` : 'gray-canvas'}
      width={width * scale}
      height={height * scale}
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    />
  );
}
