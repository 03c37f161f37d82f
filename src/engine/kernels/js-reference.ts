/**
 * The reference kernels: the contract's arithmetic (contract.ts) as plain loops that
 * read like ConvNetJS's own layers (convnet_layers_dotproducts.js), with no blocking,
 * no padded copies and no skipping of zero gradients. Slow, and meant to be: the faster
 * sets (js-blocked.ts, the WASM kernels) are tested against these.
 */
import type { ConvShape, DenseKernel, Kernels, PoolShape, ReluKernel } from './contract';
import { JsPoolKernel } from './js-pool';

/** Value (x, y, d) of an HWC volume `width` wide and `depth` deep. */
function at(width: number, depth: number, x: number, y: number, d: number): number {
  return (width * y + x) * depth + d;
}

/**
 * The filter taps [first, end) along one axis that land on the input for an output at
 * `o` (the rest fall on the zero padding, which ConvNetJS skips with a bounds test).
 */
function taps(o: number, s: { stride: number; pad: number }, size: number, extent: number): [number, number] {
  const start = o * s.stride - s.pad;
  return [Math.max(0, -start), Math.min(size, extent - start)];
}

/** Convolution as ConvNetJS's ConvLayer writes it: every filter at every position, padding skipped. */
function referenceConv(s: ConvShape): DenseKernel {
  const fanIn = s.sx * s.sy * s.inDepth;
  // Input index of tap (fx, fy, d) for the output at (ox, oy), and the filter index of that tap.
  const inputAt = (ox: number, oy: number, fx: number, fy: number, d: number): number =>
    at(s.inSx, s.inDepth, ox * s.stride - s.pad + fx, oy * s.stride - s.pad + fy, d);
  const weightAt = (f: number, fx: number, fy: number, d: number): number => f * fanIn + at(s.sx, s.inDepth, fx, fy, d);
  return {
    forward(x, w, b, out) {
      for (let oy = 0; oy < s.outSy; oy++) {
        const [fy0, fy1] = taps(oy, s, s.sy, s.inSy);
        for (let ox = 0; ox < s.outSx; ox++) {
          const [fx0, fx1] = taps(ox, s, s.sx, s.inSx);
          for (let f = 0; f < s.filters; f++) {
            let sum = 0;
            for (let fy = fy0; fy < fy1; fy++) {
              for (let fx = fx0; fx < fx1; fx++) {
                for (let d = 0; d < s.inDepth; d++) sum += w[weightAt(f, fx, fy, d)] * x[inputAt(ox, oy, fx, fy, d)];
              }
            }
            out[at(s.outSx, s.filters, ox, oy, f)] = sum + b[f];
          }
        }
      }
    },
    backward(x, w, dOut, dx, dw, db) {
      dx?.fill(0);
      for (let oy = 0; oy < s.outSy; oy++) {
        const [fy0, fy1] = taps(oy, s, s.sy, s.inSy);
        for (let ox = 0; ox < s.outSx; ox++) {
          const [fx0, fx1] = taps(ox, s, s.sx, s.inSx);
          for (let f = 0; f < s.filters; f++) {
            const g = dOut[at(s.outSx, s.filters, ox, oy, f)];
            db[f] += g;
            for (let fy = fy0; fy < fy1; fy++) {
              for (let fx = fx0; fx < fx1; fx++) {
                for (let d = 0; d < s.inDepth; d++) {
                  const [xi, wi] = [inputAt(ox, oy, fx, fy, d), weightAt(f, fx, fy, d)];
                  dw[wi] += x[xi] * g;
                  if (dx) dx[xi] += w[wi] * g;
                }
              }
            }
          }
        }
      }
    },
  };
}

/** Fully connected as ConvNetJS's FullyConnLayer writes it: one dot product per neuron. */
function referenceFc(numInputs: number, numOutputs: number): DenseKernel {
  return {
    forward(x, w, b, out) {
      for (let i = 0; i < numOutputs; i++) {
        let sum = 0;
        for (let d = 0; d < numInputs; d++) sum += x[d] * w[i * numInputs + d];
        out[i] = sum + b[i];
      }
    },
    backward(x, w, dOut, dx, dw, db) {
      dx?.fill(0);
      for (let i = 0; i < numOutputs; i++) {
        const g = dOut[i];
        for (let d = 0; d < numInputs; d++) {
          if (dx) dx[d] += w[i * numInputs + d] * g;
          dw[i * numInputs + d] += x[d] * g;
        }
        db[i] += g;
      }
    },
  };
}

/** ReLU as plain loops; -0 and NaN pass through unchanged. Both TypeScript sets use it. */
export const referenceRelu: ReluKernel = {
  forward(x, y) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v < 0 ? 0 : v;
    }
  },
  backward(y, dy, dx) {
    // A zero output passes no gradient (ConvNetJS's choice at the kink).
    for (let i = 0; i < y.length; i++) dx[i] = y[i] <= 0 ? 0 : dy[i];
  },
};

/** The plain-loop set; its pool kernel is the shared TypeScript one, already plain loops. */
export const referenceKernels = {
  name: 'reference',
  conv: (shape: ConvShape): DenseKernel => referenceConv(shape),
  fc: (numInputs: number, numOutputs: number): DenseKernel => referenceFc(numInputs, numOutputs),
  pool: (shape: PoolShape) => new JsPoolKernel(shape),
  relu: (_length: number): ReluKernel => referenceRelu,
} satisfies Kernels;
