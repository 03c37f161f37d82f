import { useLayoutEffect, useMemo, useRef } from 'react';
import { drawMosaic, singleTileMosaic, type GrayscaleImage, type GrayscaleOptions } from './grayscale';
import './common.css';

interface GrayscaleCanvasProps extends GrayscaleImage, GrayscaleOptions {
  /** Accessible description; maps without one are decorative. */
  label?: string;
  className?: string;
}

/**
 * A canvas showing one channel, redrawn whenever its values change. The values array's
 * identity is the change signal: new data arrives as fresh typed arrays, so no deep
 * comparison is needed.
 */
export function GrayscaleCanvas({ label, className, values, width, height, depth, channel, offset, scale, range }: GrayscaleCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const min = range?.min;
  const max = range?.max;
  const mosaic = useMemo(
    () => singleTileMosaic({ width, height, depth, channel, offset }, scale),
    [width, height, depth, channel, offset, scale],
  );
  // Painted in the commit, before the browser shows it: a passive effect runs after the
  // paint, so a new canvas would show as an empty (black) box for a frame.
  useLayoutEffect(() => {
    if (!ref.current) return;
    drawMosaic(ref.current, mosaic, values, min !== undefined && max !== undefined ? { min, max } : undefined);
  }, [mosaic, values, min, max]);
  return (
    <canvas
      ref={ref}
      className={className ? `gray-canvas ${className}` : 'gray-canvas'}
      width={mosaic.width}
      height={mosaic.height}
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
    />
  );
}
