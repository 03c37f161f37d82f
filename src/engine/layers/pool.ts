import type { PoolLayerSpec } from '../spec';
import { Volume } from '../volume';
import type { Layer, ParamGroup } from './layer';

/**
 * Max pooling over sx x sy windows at the given stride, channel by channel. Padding
 * is never a candidate: a window's max is over the input cells it covers. Forward
 * records which input cell won (the switch), and backward routes each gradient there.
 */
export class PoolLayer implements Layer {
  readonly spec: PoolLayerSpec;
  readonly outAct: Volume;
  inAct: Volume | null = null;
  readonly params: readonly ParamGroup[] = [];
  /** Flat input index of each output's maximum, -1 for an all-padding window. */
  readonly switches: Int32Array;
  private readonly fxStart: Int32Array;
  private readonly fxEnd: Int32Array;
  private readonly fyStart: Int32Array;
  private readonly fyEnd: Int32Array;

  constructor(spec: PoolLayerSpec) {
    this.spec = spec;
    this.outAct = new Volume(spec.out.sx, spec.out.sy, spec.out.depth);
    this.switches = new Int32Array(this.outAct.size);
    [this.fxStart, this.fxEnd] = validTaps(spec.out.sx, spec.in.sx, spec.sx, spec.stride, spec.pad);
    [this.fyStart, this.fyEnd] = validTaps(spec.out.sy, spec.in.sy, spec.sy, spec.stride, spec.pad);
  }

  forward(input: Volume, _isTraining: boolean): Volume {
    this.inAct = input;
    const x = input.w;
    const out = this.outAct.w;
    const switches = this.switches;
    const inSx = this.spec.in.sx | 0;
    const depth = this.spec.in.depth | 0;
    const outSx = this.spec.out.sx | 0;
    const outSy = this.spec.out.sy | 0;
    const stride = this.spec.stride | 0;
    const pad = this.spec.pad | 0;
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
    return this.outAct;
  }

  backward(): void {
    const input = this.inAct;
    if (!input) throw new Error('pool: backward before forward');
    const dx = input.dw;
    const dOut = this.outAct.dw;
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
