/**
 * Typed access to the reference library, convnetjs 0.3.0 (devDependency, tests and
 * bench only), plus small converters between its objects and ours.
 */
import { createRequire } from 'node:module';
import type { Volume } from '../../../src/engine/volume';

export interface RefVol {
  sx: number;
  sy: number;
  depth: number;
  w: Float64Array;
  dw: Float64Array;
}

export interface RefParamsAndGrads {
  params: Float64Array;
  grads: Float64Array;
  l1_decay_mul?: number;
  l2_decay_mul?: number;
}

export interface RefLayer {
  layer_type: string;
  out_act: RefVol;
}

export interface RefNet {
  layers: RefLayer[];
  makeLayers(defs: object[]): void;
  forward(x: RefVol, isTraining?: boolean): RefVol;
  backward(y: number | number[]): number;
  getParamsAndGrads(): RefParamsAndGrads[];
  getPrediction(): number;
  toJSON(): { layers: Record<string, unknown>[] };
  fromJSON(json: unknown): void;
}

export interface RefTrainStats {
  loss: number;
  cost_loss: number;
  l2_decay_loss: number;
  l1_decay_loss: number;
}

export interface RefTrainer {
  k: number;
  train(x: RefVol, y: number | number[]): RefTrainStats;
}

interface ConvNetJS {
  Vol: new (sx: number, sy: number, depth: number, fill?: number) => RefVol;
  Net: new () => RefNet;
  Trainer: new (net: RefNet, options: Record<string, unknown>) => RefTrainer;
}

export const convnetjs = createRequire(import.meta.url)('convnetjs') as ConvNetJS;

/** A convnetjs Vol holding the same values as `v`. */
export function refVol(v: Volume): RefVol {
  const r = new convnetjs.Vol(v.sx, v.sy, v.depth, 0);
  for (let i = 0; i < v.w.length; i++) r.w[i] = v.w[i];
  return r;
}

/** A convnetjs Net loaded from snapshot JSON text, as a user would load it. */
export function refNetFromText(text: string): RefNet {
  const net = new convnetjs.Net();
  net.fromJSON(JSON.parse(text));
  return net;
}

/** All of a convnetjs net's parameters in getParamsAndGrads order (= our flat layout). */
export function refParams(net: RefNet): number[] {
  const out: number[] = [];
  for (const pg of net.getParamsAndGrads()) for (let i = 0; i < pg.params.length; i++) out.push(pg.params[i]);
  return out;
}

/** Largest |a - b| / max(|a|, |b|), with a small floor so values near zero compare absolutely. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(Math.abs(a[i]), Math.abs(b[i]), floor);
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  }
  return worst;
}
