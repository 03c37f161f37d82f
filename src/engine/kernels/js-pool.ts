import type { PoolKernel, PoolShape } from './contract';

/**
 * The TypeScript max-pool kernel (the reference the WASM one is tested against).
 * Padding is never a candidate: a window's max is over the input cells it covers.
 * Forward records which input cell won (the switch), backward routes each gradient there.
 */
export class JsPoolKernel implements PoolKernel {
  readonly switches: Int32Array;
  private readonly shape: PoolShape;
  private readonly fxStart: Int32Array;
  private readonly fxEnd: Int32Array;
  private readonly fyStart: Int32Array;
  private readonly fyEnd: Int32Array;

  constructor(shape: PoolShape) {
    this.shape = { ...shape };
    this.switches = new Int32Array(shape.outSx * shape.outSy * shape.depth);
    [this.fxStart, this.fxEnd] = validTaps(shape.outSx, shape.inSx, shape.sx, shape.stride, shape.pad);
    [this.fyStart, this.fyEnd] = validTaps(shape.outSy, shape.inSy, shape.sy, shape.stride, shape.pad);
  }

  forward(x: Float32Array, out: Float32Array): void {
    const switches = this.switches;
    const inSx = this.shape.inSx | 0;
    const depth = this.shape.depth | 0;
    const outSx = this.shape.outSx | 0;
    const outSy = this.shape.outSy | 0;
    const stride = this.shape.stride | 0;
    const pad = this.shape.pad | 0;
    for (let oy = 0; oy < outSy; oy++) {
      const y0 = (oy * stride - pad) | 0;
      const fy0 = this.fyStart[oy];
      const fy1 = this.fyEnd[oy];
      for (let ox = 0; ox < outSx; ox++) {
        const x0 = (ox * stride - pad) | 0;
        const fx0 = this.fxStart[ox];
        const fx1 = this.fxEnd[ox];
        const outBase = ((oy * outSx + ox) * depth) | 0;
        if (fx0 >= fx1 || fy0 >= fy1) {
          // A window wholly in the padding (resolveLayers rejects these nets).
          for (let d = 0; d < depth; d++) {
            out[outBase + d] = 0;
            switches[outBase + d] = -1;
          }
          continue;
        }
        // Taps in ConvNetJS's order (columns outer, rows inner) with a strict '>',
        // so ties go to the same cell and gradients land where ConvNetJS puts them.
        // Channels are innermost because they are contiguous in HWC.
        let first = true;
        for (let fx = fx0; fx < fx1; fx++) {
          for (let fy = fy0; fy < fy1; fy++) {
            const tap = (((y0 + fy) * inSx + x0 + fx) * depth) | 0;
            if (first) {
              for (let d = 0; d < depth; d++) {
                out[outBase + d] = x[tap + d];
                switches[outBase + d] = tap + d;
              }
              first = false;
              continue;
            }
            for (let d = 0; d < depth; d++) {
              const v = x[tap + d];
              if (v > out[outBase + d]) {
                out[outBase + d] = v;
                switches[outBase + d] = tap + d;
              }
            }
          }
        }
      }
    }
  }

  backward(dOut: Float32Array, dx: Float32Array): void {
    const switches = this.switches;
    dx.fill(0);
    for (let n = 0; n < switches.length; n++) {
      const i = switches[n];
      if (i >= 0) dx[i] += dOut[n];
    }
  }
}

/**
 * For each of `outSize` window positions, the taps [start, end) of a window of
 * `size` taps that fall inside an input of `inSize` (padding excluded); an
 * all-padding window gets start = end.
 */
export function validTaps(
  outSize: number,
  inSize: number,
  size: number,
  stride: number,
  pad: number,
): [Int32Array, Int32Array] {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const origin = o * stride - pad;
    const s = Math.max(0, -origin);
    const e = Math.min(size, inSize - origin);
    start[o] = s;
    end[o] = Math.max(s, e);
  }
  return [start, end];
}
