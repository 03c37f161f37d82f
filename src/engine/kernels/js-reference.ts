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

/** Convolution as ConvNetJS's ConvLayer writes it: every filter at every position, bounds tested. */
function referenceConv(s: ConvShape): DenseKernel {
  const fanIn = s.sx * s.sy * s.inDepth;
  return {
    forward(x, w, b, out) {
      for (let f = 0; f < s.filters; f++) {
        for (let oy = 0; oy < s.outSy; oy++) {
          const y0 = oy * s.stride - s.pad;
          for (let ox = 0; ox < s.outSx; ox++) {
            const x0 = ox * s.stride - s.pad;
            let sum = 0;
            for (let fy = 0; fy < s.sy; fy++) {
              const y = y0 + fy;
              if (y < 0 || y >= s.inSy) continue;
              for (let fx = 0; fx < s.sx; fx++) {
                const xx = x0 + fx;
                if (xx < 0 || xx >= s.inSx) continue;
                for (let d = 0; d < s.inDepth; d++) {
                  sum += w[f * fanIn + at(s.sx, s.inDepth, fx, fy, d)] * x[at(s.inSx, s.inDepth, xx, y, d)];
                }
              }
            }
            out[at(s.outSx, s.filters, ox, oy, f)] = sum + b[f];
          }
        }
      }
    },
    backward(x, w, dOut, dx, dw, db) {
      dx.fill(0);
      for (let f = 0; f < s.filters; f++) {
        for (let oy = 0; oy < s.outSy; oy++) {
          const y0 = oy * s.stride - s.pad;
          for (let ox = 0; ox < s.outSx; ox++) {
            const x0 = ox * s.stride - s.pad;
            const g = dOut[at(s.outSx, s.filters, ox, oy, f)];
            for (let fy = 0; fy < s.sy; fy++) {
              const y = y0 + fy;
              if (y < 0 || y >= s.inSy) continue;
              for (let fx = 0; fx < s.sx; fx++) {
                const xx = x0 + fx;
                if (xx < 0 || xx >= s.inSx) continue;
                for (let d = 0; d < s.inDepth; d++) {
                  const wi = f * fanIn + at(s.sx, s.inDepth, fx, fy, d);
                  const xi = at(s.inSx, s.inDepth, xx, y, d);
                  dw[wi] += x[xi] * g;
                  dx[xi] += w[wi] * g;
                }
              }
            }
            db[f] += g;
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
      dx.fill(0);
      for (let i = 0; i < numOutputs; i++) {
        const g = dOut[i];
        for (let d = 0; d < numInputs; d++) {
          dx[d] += w[i * numInputs + d] * g;
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
