/**
 * The WebAssembly SIMD kernels (assembly/*.ts) behind the engine's Kernels
 * interface. Each net gets its own instance and memory (`wasmKernels.forNet`),
 * sized once from the layer specs; the net's parameters, gradients and every
 * activation are views of that memory (Net allocates them through `allocate`), so
 * a kernel call passes byte offsets and copies nothing.
 */
import type {
  ConvKernel,
  ConvShape,
  FcKernel,
  Kernels,
  ParamRange,
  PoolKernel,
  PoolShape,
  ReluKernel,
  UpdateKernel,
  UpdateStep,
} from '../kernels/contract';
import { convShapeOf, poolShapeOf, UPDATE_HYPER_SLOTS as HYPER } from '../kernels/contract';
import { paramCount, shapeSize, type ResolvedLayer } from '../spec';
import { footprint, NetMemory, WasmMemoryError } from './memory';
import { kernelsModule, type KernelExports } from './module';
import { CONV, POOL } from './plans';

/** One buffer a kernel takes from the net's memory. */
interface Workspace {
  kind: 'f32' | 'i32' | 'f64';
  length: number;
}

const bytesPer = { f32: 4, i32: 4, f64: 8 } as const;

/** Filters rounded up to whole f32x4 vectors. */
function filters4(filters: number): number {
  return Math.ceil(filters / 4) * 4;
}

/**
 * What a convolution keeps in memory, in allocation order (see WasmConvKernel and
 * the slot comments in assembly/plan.ts).
 */
function convWorkspace(s: ConvShape): Record<string, Workspace> {
  const padded = (s.inSx + 2 * s.pad) * (s.inSy + 2 * s.pad) * s.inDepth;
  const positions = s.outSx * s.outSy;
  const nf4 = filters4(s.filters);
  return {
    plan: { kind: 'i32', length: CONV.SLOTS },
    paddedIn: { kind: 'f32', length: padded },
    paddedGrad: { kind: 'f32', length: padded },
    weightsT: { kind: 'f32', length: s.sx * s.sy * s.inDepth * nf4 },
    outScratch: { kind: 'f32', length: nf4 === s.filters ? 0 : positions * nf4 },
    nzWindow: { kind: 'i32', length: s.filters * positions },
    nzGrad: { kind: 'f32', length: s.filters * positions },
    nzCount: { kind: 'i32', length: s.filters },
    activeW: { kind: 'i32', length: s.filters },
    activeG: { kind: 'f32', length: s.filters },
    biasSum: { kind: 'f64', length: s.filters },
    bias4: { kind: 'f32', length: nf4 },
  };
}

function poolWorkspace(s: PoolShape): Record<string, Workspace> {
  return {
    plan: { kind: 'i32', length: POOL.SLOTS },
    switches: { kind: 'i32', length: s.outSx * s.outSy * s.depth },
  };
}

/**
 * An upper bound on the bytes a net built from `specs` takes: parameters and
 * gradients, two more parameter-sized buffers for the fused update, every layer's
 * output volume (values and gradients; a spare one per layer for layers that keep
 * more), and the kernels' workspaces.
 */
export function netMemoryBytes(specs: readonly ResolvedLayer[]): number {
  let bytes = 0;
  const add = (b: number): void => {
    bytes += footprint(b);
  };
  const addAll = (ws: Record<string, Workspace>): void => {
    for (const w of Object.values(ws)) add(w.length * bytesPer[w.kind]);
  };
  let params = 0;
  for (const spec of specs) params += paramCount(spec);
  for (let i = 0; i < 4; i++) add(params * 4);
  for (const spec of specs) {
    const out = shapeSize(spec.out) * 4;
    for (let i = 0; i < 4; i++) add(out);
    if (spec.type === 'conv') addAll(convWorkspace(convShapeOf(spec)));
    if (spec.type === 'pool') addAll(poolWorkspace(poolShapeOf(spec)));
  }
  return bytes + 65536;
}

/** Takes a kernel's workspace from the net memory, in declaration order. */
function takeAll<T extends Record<string, Workspace>>(memory: NetMemory, ws: T): { [K in keyof T]: number } {
  const out = {} as { [K in keyof T]: number };
  for (const key of Object.keys(ws) as (keyof T)[]) {
    const w = ws[key];
    if (w.length === 0) {
      out[key] = 0;
      continue;
    }
    const array = w.kind === 'f32' ? memory.f32(w.length) : w.kind === 'i32' ? memory.i32(w.length) : memory.f64(w.length);
    out[key] = array.byteOffset;
  }
  return out;
}

class WasmConvKernel implements ConvKernel {
  private readonly memory: NetMemory;
  private readonly exports: KernelExports;
  private readonly plan: number;

  constructor(memory: NetMemory, s: ConvShape) {
    this.memory = memory;
    this.exports = memory.exports;
    const at = takeAll(memory, convWorkspace(s));
    this.plan = at.plan;
    const slots = new Int32Array(memory.buffer, at.plan, CONV.SLOTS);
    slots[CONV.IN_SX] = s.inSx;
    slots[CONV.IN_SY] = s.inSy;
    slots[CONV.IN_DEPTH] = s.inDepth;
    slots[CONV.OUT_SX] = s.outSx;
    slots[CONV.OUT_SY] = s.outSy;
    slots[CONV.FILTERS] = s.filters;
    slots[CONV.SX] = s.sx;
    slots[CONV.SY] = s.sy;
    slots[CONV.STRIDE] = s.stride;
    slots[CONV.PAD] = s.pad;
    slots[CONV.PAD_SX] = s.inSx + 2 * s.pad;
    slots[CONV.PAD_SY] = s.inSy + 2 * s.pad;
    slots[CONV.FILTERS4] = filters4(s.filters);
    slots[CONV.FAN_IN] = s.sx * s.sy * s.inDepth;
    slots[CONV.PADDED_IN] = at.paddedIn;
    slots[CONV.PADDED_GRAD] = at.paddedGrad;
    slots[CONV.WEIGHTS_T] = at.weightsT;
    slots[CONV.OUT_SCRATCH] = at.outScratch;
    slots[CONV.NZ_WINDOW] = at.nzWindow;
    slots[CONV.NZ_GRAD] = at.nzGrad;
    slots[CONV.NZ_COUNT] = at.nzCount;
    slots[CONV.ACTIVE_W] = at.activeW;
    slots[CONV.ACTIVE_G] = at.activeG;
    slots[CONV.BIAS_SUM] = at.biasSum;
    slots[CONV.BIAS4] = at.bias4;
  }

  forward(x: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array): void {
    const m = this.memory;
    this.exports.convForward(this.plan, m.at(x), m.at(w), m.at(b), m.at(out));
  }

  backward(
    _x: Float32Array,
    w: Float32Array,
    dOut: Float32Array,
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array,
  ): void {
    // The padded input kept by forward is the x these gradients belong to.
    const m = this.memory;
    this.exports.convBackward(this.plan, m.at(w), m.at(dOut), m.at(dx), m.at(dw), m.at(db));
  }
}

class WasmFcKernel implements FcKernel {
  private readonly memory: NetMemory;
  private readonly exports: KernelExports;
  private readonly numInputs: number;
  private readonly numOutputs: number;

  constructor(memory: NetMemory, numInputs: number, numOutputs: number) {
    this.memory = memory;
    this.exports = memory.exports;
    this.numInputs = numInputs;
    this.numOutputs = numOutputs;
  }

  forward(x: Float32Array, w: Float32Array, b: Float32Array, out: Float32Array): void {
    const m = this.memory;
    this.exports.fcForward(this.numInputs, this.numOutputs, m.at(x), m.at(w), m.at(b), m.at(out));
  }

  backward(
    x: Float32Array,
    w: Float32Array,
    dOut: Float32Array,
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array,
  ): void {
    const m = this.memory;
    this.exports.fcBackward(this.numInputs, this.numOutputs, m.at(x), m.at(w), m.at(dOut), m.at(dx), m.at(dw), m.at(db));
  }
}

class WasmPoolKernel implements PoolKernel {
  readonly switches: Int32Array;
  private readonly memory: NetMemory;
  private readonly exports: KernelExports;
  private readonly plan: number;
  private readonly inSize: number;

  constructor(memory: NetMemory, s: PoolShape) {
    this.memory = memory;
    this.exports = memory.exports;
    const at = takeAll(memory, poolWorkspace(s));
    this.plan = at.plan;
    this.switches = new Int32Array(memory.buffer, at.switches, s.outSx * s.outSy * s.depth);
    this.inSize = s.inSx * s.inSy * s.depth;
    const slots = new Int32Array(memory.buffer, at.plan, POOL.SLOTS);
    slots[POOL.IN_SX] = s.inSx;
    slots[POOL.IN_SY] = s.inSy;
    slots[POOL.DEPTH] = s.depth;
    slots[POOL.OUT_SX] = s.outSx;
    slots[POOL.OUT_SY] = s.outSy;
    slots[POOL.SX] = s.sx;
    slots[POOL.SY] = s.sy;
    slots[POOL.STRIDE] = s.stride;
    slots[POOL.PAD] = s.pad;
  }

  forward(x: Float32Array, out: Float32Array): void {
    const m = this.memory;
    this.exports.poolForward(this.plan, m.at(x), m.at(out), this.switches.byteOffset);
  }

  backward(dOut: Float32Array, dx: Float32Array): void {
    const m = this.memory;
    this.exports.poolBackward(m.at(dOut), this.switches.byteOffset, this.switches.length, m.at(dx), this.inSize);
  }
}

class WasmReluKernel implements ReluKernel {
  private readonly memory: NetMemory;
  private readonly exports: KernelExports;
  private readonly length: number;

  constructor(memory: NetMemory, length: number) {
    this.memory = memory;
    this.exports = memory.exports;
    this.length = length;
  }

  forward(x: Float32Array, y: Float32Array): void {
    const m = this.memory;
    this.exports.reluForward(m.at(x), m.at(y), this.length);
  }

  backward(y: Float32Array, dy: Float32Array, dx: Float32Array): void {
    const m = this.memory;
    this.exports.reluBackward(m.at(y), m.at(dy), m.at(dx), this.length);
  }
}

/**
 * The fused update. Its workspace (hyperparameters, the range table and two
 * accumulator buffers) is made once per net and shared by every Trainer of it: a
 * trainer's own accumulators are copied in and out around each step (two short
 * memcpys, every batch_size examples), so trainers never share state.
 */
class WasmUpdateWorkspace {
  readonly hyper: Float64Array;
  readonly ranges: Float64Array;
  readonly gsum: Float32Array;
  readonly xsum: Float32Array;

  constructor(memory: NetMemory, params: number, maxRanges: number) {
    this.hyper = memory.f64(HYPER.SLOTS);
    this.ranges = memory.f64(4 * maxRanges);
    this.gsum = memory.f32(params);
    this.xsum = memory.f32(params);
  }
}

class WasmUpdateKernel implements UpdateKernel {
  private readonly memory: NetMemory;
  private readonly space: WasmUpdateWorkspace;
  private readonly ranges: readonly ParamRange[];

  constructor(memory: NetMemory, space: WasmUpdateWorkspace, ranges: readonly ParamRange[]) {
    if (4 * ranges.length > space.ranges.length) throw new Error('update: more parameter ranges than the net has');
    this.memory = memory;
    this.space = space;
    this.ranges = ranges.map((r) => ({ ...r }));
  }

  run(step: UpdateStep, p: Float32Array, g: Float32Array, gsum: Float32Array | null, xsum: Float32Array | null): [number, number] {
    const { hyper, ranges } = this.space;
    hyper[HYPER.LR] = step.learningRate;
    hyper[HYPER.MOMENTUM] = step.momentum;
    hyper[HYPER.RO] = step.ro;
    hyper[HYPER.EPS] = step.eps;
    hyper[HYPER.BETA1] = step.beta1;
    hyper[HYPER.BETA2] = step.beta2;
    hyper[HYPER.CORR1] = step.corr1;
    hyper[HYPER.CORR2] = step.corr2;
    hyper[HYPER.DIVISOR] = step.divisor;
    hyper[HYPER.L1_DECAY] = step.l1Decay;
    hyper[HYPER.L2_DECAY] = step.l2Decay;
    this.ranges.forEach((r, i) => {
      ranges[4 * i] = r.start;
      ranges[4 * i + 1] = r.end;
      ranges[4 * i + 2] = r.l1DecayMul;
      ranges[4 * i + 3] = r.l2DecayMul;
    });
    const g1 = this.stage(gsum, this.space.gsum);
    const x1 = this.stage(xsum, this.space.xsum);
    this.memory.exports.paramUpdate(
      step.rule,
      this.memory.at(p),
      this.memory.at(g),
      g1 ? g1.byteOffset : 0,
      x1 ? x1.byteOffset : 0,
      ranges.byteOffset,
      this.ranges.length,
      hyper.byteOffset,
    );
    if (gsum && g1 && g1 !== gsum) gsum.set(g1.subarray(0, gsum.length));
    if (xsum && x1 && x1 !== xsum) xsum.set(x1.subarray(0, xsum.length));
    return [hyper[HYPER.L2_LOSS], hyper[HYPER.L1_LOSS]];
  }

  /** The accumulator itself when it lives in this memory, else a copy of it in the workspace. */
  private stage(array: Float32Array | null, workspace: Float32Array): Float32Array | null {
    if (!array) return null;
    if (array.buffer === this.memory.buffer) return array;
    if (array.length > workspace.length) throw new Error('update: accumulator longer than the net');
    workspace.set(array);
    return workspace;
  }
}

/** The kernels of one net, all on one memory. */
export class WasmNetKernels implements Kernels {
  readonly name = 'wasm';
  readonly memory: NetMemory;
  private readonly params: number;
  private readonly paramGroups: number;
  private updateSpace: WasmUpdateWorkspace | null = null;

  /** `params` and `paramGroups` size the update workspace (made on first use). */
  constructor(memory: NetMemory, params = 0, paramGroups = 0) {
    this.memory = memory;
    this.params = params;
    this.paramGroups = paramGroups;
  }

  conv(shape: ConvShape): ConvKernel {
    return new WasmConvKernel(this.memory, shape);
  }

  fc(numInputs: number, numOutputs: number): FcKernel {
    return new WasmFcKernel(this.memory, numInputs, numOutputs);
  }

  pool(shape: PoolShape): PoolKernel {
    return new WasmPoolKernel(this.memory, shape);
  }

  relu(length: number): ReluKernel {
    return new WasmReluKernel(this.memory, length);
  }

  update(ranges: readonly ParamRange[]): UpdateKernel {
    this.updateSpace ??= new WasmUpdateWorkspace(this.memory, this.params, Math.max(this.paramGroups, ranges.length));
    return new WasmUpdateKernel(this.memory, this.updateSpace, ranges);
  }

  allocate(length: number): Float32Array {
    return this.memory.f32(length);
  }

  forNet(): Kernels {
    throw new Error('these kernels already belong to a net');
  }
}

/**
 * Makes kernels for a memory of `bytes`, or returns null when WebAssembly SIMD is
 * unavailable or the memory cannot be had.
 */
export function wasmKernelsWithMemory(bytes: number, params = 0, paramGroups = 0): WasmNetKernels | null {
  const module = kernelsModule();
  if (!module) return null;
  try {
    return new WasmNetKernels(new NetMemory(module, bytes), params, paramGroups);
  } catch (error) {
    if (error instanceof WasmMemoryError || error instanceof RangeError) return null;
    throw error;
  }
}

/** True where the WASM kernels can run (WebAssembly with 128-bit SIMD). */
export function wasmKernelsAvailable(): boolean {
  return kernelsModule() !== null;
}

/**
 * The WASM kernel set. Used directly (without forNet) it cannot know how much
 * memory to make, so Net always goes through forNet; `fallback` serves a net whose
 * memory cannot be had (too large for wasm32) or a runtime without SIMD.
 */
export function createWasmKernels(fallback: Kernels): Kernels {
  return {
    name: 'wasm',
    conv: () => {
      throw new Error('WASM kernels are per net: call forNet(specs) first');
    },
    fc: () => {
      throw new Error('WASM kernels are per net: call forNet(specs) first');
    },
    forNet(specs: readonly ResolvedLayer[]): Kernels {
      let params = 0;
      let groups = 0;
      for (const spec of specs) {
        params += paramCount(spec);
        if (spec.type === 'conv' || spec.type === 'fc') groups += 2;
      }
      return wasmKernelsWithMemory(netMemoryBytes(specs), params, groups) ?? fallback;
    },
  };
}
