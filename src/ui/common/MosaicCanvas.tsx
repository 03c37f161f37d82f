import { memo, useLayoutEffect, useRef } from 'react';
import { drawMosaic, type Mosaic } from './grayscale';
import './common.css';

interface MosaicCanvasProps {
  /** The layout; keep it the same object across updates (useMemo) so nothing is re-laid out. */
  mosaic: Mosaic;
  /** Null draws the empty layout (backdrops only), e.g. before the first data arrives. */
  values: ArrayLike<number> | null;
  /** Scales every tile alike; omit to let each tile use its own range (see MosaicTile.rangeOf). */
  min?: number;
  max?: number;
  /** Accessible name, e.g. "conv (24x24x8) activations, 8 channels". */
  label: string;
}

/**
 * One canvas showing many grayscale tiles. Redraws when the values change; their identity
 * is the change signal (views arrive as fresh typed arrays). The canvas keeps its
 * intrinsic size and aspect ratio; CSS may only shrink it as a whole.
 */
export const MosaicCanvas = memo(function MosaicCanvas({ mosaic, values, min, max, label }: MosaicCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  // Painted in the commit, before the browser shows it: a passive effect runs after the
  // paint, so a new mosaic would show without its tiles for a frame.
  useLayoutEffect(() => {
    if (!ref.current) return;
    drawMosaic(ref.current, mosaic, values, min !== undefined && max !== undefined ? { min, max } : undefined);
  }, [mosaic, values, min, max]);
  return <canvas ref={ref} className="mosaic-canvas" width={mosaic.width} height={mosaic.height} role="img" aria-label={label} />;
});
