/**
 * The register-blocked TypeScript kernels: the contract's arithmetic (kernels/contract.ts)
 * with loops unrolled so each loaded value feeds several multiply-adds, and backward
 * passes that skip zero gradients. The default where WebAssembly SIMD is missing;
 * tested against the plain-loop reference set (js-reference.ts).
 */
import type { ConvShape, DenseKernel, Kernels, PoolKernel, PoolShape, ReluKernel } from './contract';
import { JsPoolKernel } from './js-pool';
import { referenceRelu } from './js-reference';

/**
 * A convolution's shapes plus its workspace, sized once. The input is copied into a
 * zero-bordered buffer so that every filter window is whole: the loops need no
 * bounds tests and no special cases at the edges.
 *
 * A class with every field set in the constructor (sizes as small integers), so
 * all plans share one hidden class and the kernels stay monomorphic.
 */
export class ConvPlan {
  readonly inSx: number;
  readonly inSy: number;
  readonly inDepth: number;
  readonly outSx: number;
  readonly outSy: number;
  readonly filters: number;
  readonly sx: number;
  readonly sy: number;
  readonly stride: number;
  readonly pad: number;
  /** Padded width and height. */
  readonly padSx: number;
  readonly padSy: number;
  /** Values per filter: sx * sy * inDepth. */
  readonly fanIn: number;
  /** The last forward input, zero-padded; the border is never written. */
  readonly paddedIn: Float32Array;
  /** Input gradient in padded coordinates, before the border is cut off. */
  readonly paddedGrad: Float32Array;
  /** Per output position, the offset of its window's top-left value in paddedIn. */
  readonly windowStart: Int32Array;
  /** Per filter value k (HWC inside the filter), its offset from the window start. */
  readonly tapOffset: Int32Array;
  /** Backward scratch: nonzero output gradients of one filter, or of one position. */
  readonly nzIndex: Int32Array;
  readonly nzGrad: Float64Array;

  constructor(s: ConvShape) {
    this.inSx = s.inSx | 0;
    this.inSy = s.inSy | 0;
    this.inDepth = s.inDepth | 0;
    this.outSx = s.outSx | 0;
    this.outSy = s.outSy | 0;
    this.filters = s.filters | 0;
    this.sx = s.sx | 0;
    this.sy = s.sy | 0;
    this.stride = s.stride | 0;
    this.pad = s.pad | 0;
    const depth = this.inDepth;
    this.padSx = (this.inSx + 2 * this.pad) | 0;
    this.padSy = (this.inSy + 2 * this.pad) | 0;
    this.fanIn = (this.sx * this.sy * depth) | 0;
    this.paddedIn = new Float32Array(this.padSx * this.padSy * depth);
    this.paddedGrad = new Float32Array(this.padSx * this.padSy * depth);
    const positions = this.outSx * this.outSy;
    this.windowStart = new Int32Array(positions);
    for (let oy = 0; oy < this.outSy; oy++) {
      for (let ox = 0; ox < this.outSx; ox++) {
        this.windowStart[oy * this.outSx + ox] = (oy * this.stride * this.padSx + ox * this.stride) * depth;
      }
    }
    this.tapOffset = new Int32Array(this.fanIn);
    for (let fy = 0; fy < this.sy; fy++) {
      for (let fx = 0; fx < this.sx; fx++) {
        for (let d = 0; d < depth; d++) {
          this.tapOffset[(fy * this.sx + fx) * depth + d] = (fy * this.padSx + fx) * depth + d;
        }
      }
    }
    const scratch = Math.max(positions, this.filters);
    this.nzIndex = new Int32Array(scratch);
    this.nzGrad = new Float64Array(scratch);
  }
}

/** Copies x into the interior of the padded buffer, row by row. */
function padInput(p: ConvPlan, x: Float32Array): void {
  const xp = p.paddedIn;
  const rowLen = (p.inSx * p.inDepth) | 0;
  const inSy = p.inSy | 0;
  const dstRow = (p.padSx * p.inDepth) | 0;
  let dst = ((p.pad * p.padSx + p.pad) * p.inDepth) | 0;
  let src = 0;
  for (let y = 0; y < inSy; y++) {
    for (let t = 0; t < rowLen; t++) xp[dst + t] = x[src + t];
    src += rowLen;
    dst += dstRow;
  }
}

/**
 * Convolution forward. Within one filter row the taps of all channels are
 * contiguous in both the padded input and the filter (HWC), so the innermost loop
 * is a dot product of length sx * inDepth. Register blocking: two neighbouring
 * output positions times four filters, so each value loaded feeds several
 * multiply-adds (every load in JS also pays a bounds check).
 */
export function convForward(p: ConvPlan, x: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array): void {
  padInput(p, x);
  const xp = p.paddedIn;
  const depth = p.inDepth | 0;
  const outSx = p.outSx | 0;
  const outSy = p.outSy | 0;
  const nf = p.filters | 0;
  const fsy = p.sy | 0;
  const K = p.fanIn | 0;
  const run = (p.sx * depth) | 0;
  const rowStride = (p.padSx * depth) | 0;
  // Offset between the windows of two horizontally neighbouring outputs.
  const step = (p.stride * depth) | 0;
  const nf4 = nf & ~3;
  const windowStart = p.windowStart;
  for (let oy = 0; oy < outSy; oy++) {
    let ox = 0;
    for (; ox + 1 < outSx; ox += 2) {
      const o = (oy * outSx + ox) | 0;
      const start = windowStart[o];
      const outA = (o * nf) | 0;
      const outB = (outA + nf) | 0;
      let f = 0;
      for (; f < nf4; f += 4) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        let c0 = 0;
        let c1 = 0;
        let c2 = 0;
        let c3 = 0;
        for (let fy = 0; fy < fsy; fy++) {
          const xa = (start + fy * rowStride) | 0;
          const xb = (xa + step) | 0;
          const w0 = (f * K + fy * run) | 0;
          const w1 = (w0 + K) | 0;
          const w2 = (w1 + K) | 0;
          const w3 = (w2 + K) | 0;
          for (let t = 0; t < run; t++) {
            const u = xp[xa + t];
            const v = xp[xb + t];
            let q = w[w0 + t];
            a0 += u * q;
            c0 += v * q;
            q = w[w1 + t];
            a1 += u * q;
            c1 += v * q;
            q = w[w2 + t];
            a2 += u * q;
            c2 += v * q;
            q = w[w3 + t];
            a3 += u * q;
            c3 += v * q;
          }
        }
        out[outA + f] = a0 + b[f];
        out[outA + f + 1] = a1 + b[f + 1];
        out[outA + f + 2] = a2 + b[f + 2];
        out[outA + f + 3] = a3 + b[f + 3];
        out[outB + f] = c0 + b[f];
        out[outB + f + 1] = c1 + b[f + 1];
        out[outB + f + 2] = c2 + b[f + 2];
        out[outB + f + 3] = c3 + b[f + 3];
      }
      for (; f < nf; f++) {
        let a = 0;
        let c = 0;
        for (let fy = 0; fy < fsy; fy++) {
          const xa = (start + fy * rowStride) | 0;
          const xb = (xa + step) | 0;
          const wi = (f * K + fy * run) | 0;
          for (let t = 0; t < run; t++) {
            const q = w[wi + t];
            a += xp[xa + t] * q;
            c += xp[xb + t] * q;
          }
        }
        out[outA + f] = a + b[f];
        out[outB + f] = c + b[f];
      }
    }
    if (ox < outSx) {
      // Odd output width: the last position alone.
      const o = (oy * outSx + ox) | 0;
      const start = windowStart[o];
      const outA = (o * nf) | 0;
      for (let f = 0; f < nf; f++) {
        let a = 0;
        for (let fy = 0; fy < fsy; fy++) {
          const xa = (start + fy * rowStride) | 0;
          const wi = (f * K + fy * run) | 0;
          for (let t = 0; t < run; t++) a += xp[xa + t] * w[wi + t];
        }
        out[outA + f] = a + b[f];
      }
    }
  }
}

/**
 * Convolution backward. Behind a ReLU and a max pool most output gradients are
 * zero, so both halves work from lists of the nonzero ones:
 * - filter gradient: per filter, the nonzero positions are listed once, then each
 *   group of four filter values sums over that list in registers and adds into dw
 *   once;
 * - input gradient: per position, the filters with nonzero gradient are listed
 *   and their weighted filters added into the padded input gradient.
 */
export function convBackward(
  p: ConvPlan,
  _x: Float32Array,
  w: Float32Array,
  dOut: Float32Array,
  dx: Float32Array | null,
  dw: Float32Array,
  db: Float32Array,
): void {
  // The padded copy of x made by forward is the input these gradients belong to.
  const xp = p.paddedIn;
  const nf = p.filters | 0;
  const K = p.fanIn | 0;
  const K4 = K & ~3;
  const positions = (p.outSx * p.outSy) | 0;
  const windowStart = p.windowStart;
  const tapOffset = p.tapOffset;
  const nzIndex = p.nzIndex;
  const nzGrad = p.nzGrad;

  for (let f = 0; f < nf; f++) {
    let n = 0;
    let biasGrad = 0;
    for (let o = 0; o < positions; o++) {
      const g = dOut[o * nf + f];
      if (g !== 0) {
        nzIndex[n] = windowStart[o];
        nzGrad[n] = g;
        biasGrad += g;
        n++;
      }
    }
    if (n === 0) continue;
    db[f] += biasGrad;
    const wf = (f * K) | 0;
    let k = 0;
    for (; k < K4; k += 4) {
      const t0 = tapOffset[k];
      const t1 = tapOffset[k + 1];
      const t2 = tapOffset[k + 2];
      const t3 = tapOffset[k + 3];
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < n; j++) {
        const g = nzGrad[j];
        const s = nzIndex[j];
        a0 += g * xp[s + t0];
        a1 += g * xp[s + t1];
        a2 += g * xp[s + t2];
        a3 += g * xp[s + t3];
      }
      dw[wf + k] += a0;
      dw[wf + k + 1] += a1;
      dw[wf + k + 2] += a2;
      dw[wf + k + 3] += a3;
    }
    for (; k < K; k++) {
      const t = tapOffset[k];
      let a = 0;
      for (let j = 0; j < n; j++) a += nzGrad[j] * xp[nzIndex[j] + t];
      dw[wf + k] += a;
    }
  }

  if (dx) convInputGradient(p, w, dOut, dx);
}

/**
 * The input gradient of convBackward, from the same lists. Fixed trip counts in the
 * inner loops: a loop whose length changes from one position to the next mispredicts
 * its exit on every pass, which costs more than the multiply-adds. So one store per
 * filter value for up to three active filters at once, and three at a time beyond that.
 */
function convInputGradient(p: ConvPlan, w: Float32Array, dOut: Float32Array, dx: Float32Array): void {
  const dxp = p.paddedGrad;
  const nf = p.filters | 0;
  const K = p.fanIn | 0;
  const positions = (p.outSx * p.outSy) | 0;
  const windowStart = p.windowStart;
  const tapOffset = p.tapOffset;
  const nzIndex = p.nzIndex;
  const nzGrad = p.nzGrad;
  dxp.fill(0);
  for (let o = 0; o < positions; o++) {
    const ob = (o * nf) | 0;
    let m = 0;
    for (let f = 0; f < nf; f++) {
      const g = dOut[ob + f];
      if (g !== 0) {
        nzIndex[m] = f * K;
        nzGrad[m] = g;
        m++;
      }
    }
    const s = windowStart[o];
    let j = 0;
    for (; m - j >= 3; j += 3) {
      const g0 = nzGrad[j];
      const g1 = nzGrad[j + 1];
      const g2 = nzGrad[j + 2];
      const w0 = nzIndex[j];
      const w1 = nzIndex[j + 1];
      const w2 = nzIndex[j + 2];
      for (let k = 0; k < K; k++) dxp[s + tapOffset[k]] += g0 * w[w0 + k] + g1 * w[w1 + k] + g2 * w[w2 + k];
    }
    if (m - j === 2) {
      const g0 = nzGrad[j];
      const g1 = nzGrad[j + 1];
      const w0 = nzIndex[j];
      const w1 = nzIndex[j + 1];
      for (let k = 0; k < K; k++) dxp[s + tapOffset[k]] += g0 * w[w0 + k] + g1 * w[w1 + k];
    } else if (m - j === 1) {
      const g0 = nzGrad[j];
      const w0 = nzIndex[j];
      for (let k = 0; k < K; k++) dxp[s + tapOffset[k]] += g0 * w[w0 + k];
    }
  }
  // Cut the border off: gradient that fell on padding belongs to no input.
  const rowLen = (p.inSx * p.inDepth) | 0;
  const srcRow = (p.padSx * p.inDepth) | 0;
  let src = ((p.pad * p.padSx + p.pad) * p.inDepth) | 0;
  let dst = 0;
  for (let y = 0; y < p.inSy; y++) {
    for (let t = 0; t < rowLen; t++) dx[dst + t] = dxp[src + t];
    src += srcRow;
    dst += rowLen;
  }
}

/** Fully connected forward: one dot product per neuron, four neurons at a time. */
export function fcForward(
  numInputs: number,
  numOut: number,
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  out: Float32Array,
): void {
  const n = numInputs | 0;
  const m = numOut | 0;
  const m4 = m & ~3;
  let i = 0;
  for (; i < m4; i += 4) {
    const w0 = (i * n) | 0;
    const w1 = (w0 + n) | 0;
    const w2 = (w1 + n) | 0;
    const w3 = (w2 + n) | 0;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let d = 0; d < n; d++) {
      const u = x[d];
      a0 += u * w[w0 + d];
      a1 += u * w[w1 + d];
      a2 += u * w[w2 + d];
      a3 += u * w[w3 + d];
    }
    out[i] = a0 + b[i];
    out[i + 1] = a1 + b[i + 1];
    out[i + 2] = a2 + b[i + 2];
    out[i + 3] = a3 + b[i + 3];
  }
  for (; i < m; i++) {
    const w0 = (i * n) | 0;
    let a = 0;
    for (let d = 0; d < n; d++) a += x[d] * w[w0 + d];
    out[i] = a + b[i];
  }
}

/**
 * Fully connected backward. Neurons with zero output gradient are skipped; the
 * input gradient is summed over neurons in a register and stored once per input.
 */
export function fcBackward(
  numInputs: number,
  numOut: number,
  x: Float32Array,
  w: Float32Array,
  dOut: Float32Array,
  dx: Float32Array | null,
  dw: Float32Array,
  db: Float32Array,
  nzIndex: Int32Array,
  nzGrad: Float64Array,
): void {
  const n = numInputs | 0;
  const m = numOut | 0;
  let count = 0;
  for (let i = 0; i < m; i++) {
    const g = dOut[i];
    if (g === 0) continue;
    nzIndex[count] = i * n;
    nzGrad[count] = g;
    count++;
    db[i] += g;
  }
  if (dx) {
    for (let d = 0; d < n; d++) {
      let a = 0;
      for (let j = 0; j < count; j++) a += nzGrad[j] * w[nzIndex[j] + d];
      dx[d] = a;
    }
  }
  for (let j = 0; j < count; j++) {
    const g = nzGrad[j];
    const w0 = nzIndex[j];
    for (let d = 0; d < n; d++) dw[w0 + d] += g * x[d];
  }
}

/** The blocked convolution of one layer: the plan holds its shapes and workspace. */
function blockedConv(shape: ConvShape): DenseKernel {
  const plan = new ConvPlan(shape);
  return {
    forward: (x, w, b, out) => convForward(plan, x, w, b, out),
    backward: (x, w, dOut, dx, dw, db) => convBackward(plan, x, w, dOut, dx, dw, db),
  };
}

/** The blocked fully connected layer, with its scratch for the nonzero output gradients. */
function blockedFc(numInputs: number, numOutputs: number): DenseKernel {
  const nzIndex = new Int32Array(numOutputs);
  const nzGrad = new Float64Array(numOutputs);
  return {
    forward: (x, w, b, out) => fcForward(numInputs, numOutputs, x, w, b, out),
    backward: (x, w, dOut, dx, dw, db) => fcBackward(numInputs, numOutputs, x, w, dOut, dx, dw, db, nzIndex, nzGrad),
  };
}

/**
 * The TypeScript kernels the engine runs where WebAssembly SIMD is missing; pool and
 * relu have nothing to block and are the plain ones.
 */
export const jsKernels = {
  name: 'js',
  conv: blockedConv,
  fc: blockedFc,
  pool: (shape: PoolShape): PoolKernel => new JsPoolKernel(shape),
  relu: (_length: number): ReluKernel => referenceRelu,
} satisfies Kernels;
