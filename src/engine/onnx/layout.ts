/**
 * Weight layouts. A ConvNetJS volume is HWC (value (x, y, d) at ((sx * y) + x) * depth + d);
 * ONNX tensors are NCHW. Conv filter f is such a volume, and an fc neuron's weights read
 * its input volume in the same order, so both convert the same way: each row of
 * `rows` weights is one HWC volume of `shape`, rewritten in CHW order (and back).
 */
import type { Shape } from '../spec';

function permuteRows(w: Float32Array, rows: number, shape: Shape, toChw: boolean): Float32Array {
  const { sx, sy, depth } = shape;
  const size = sx * sy * depth;
  if (w.length !== rows * size) {
    throw new Error(`layout: ${rows} rows of ${sx}x${sy}x${depth} need ${rows * size} weights, got ${w.length}`);
  }
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    const base = r * size;
    for (let y = 0; y < sy; y++) {
      for (let x = 0; x < sx; x++) {
        for (let d = 0; d < depth; d++) {
          const hwc = base + (y * sx + x) * depth + d;
          const chw = base + (d * sy + y) * sx + x;
          if (toChw) out[chw] = w[hwc];
          else out[hwc] = w[chw];
        }
      }
    }
  }
  return out;
}

/** Rows of HWC volumes (ConvNetJS filters, fc weights) as rows of CHW (ONNX OIHW / Flatten order). */
export function rowsHwcToChw(w: Float32Array, rows: number, shape: Shape): Float32Array {
  return permuteRows(w, rows, shape, true);
}

/** The inverse of rowsHwcToChw. */
export function rowsChwToHwc(w: Float32Array, rows: number, shape: Shape): Float32Array {
  return permuteRows(w, rows, shape, false);
}
