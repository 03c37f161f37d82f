/**
 * The WebAssembly SIMD kernels (assembly/*.ts) behind the engine's Kernels
 * interface. Each net gets its own instance and memory (`wasmKernels.forNet`),
 * sized once from the layer specs; the net's parameters, gradients and every
 * activation are views of that memory (Net allocates them through `allocate`), so
 * a kernel call passes byte offsets and copies nothing.
 */
import type {
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
import { convShapeOf, poolShapeOf, UPDATE_HYPER_SLOT_COUNT, UPDATE_RESULT_SLOTS, UPDATE_STEP_SLOTS } from '../kernels/contract';
import { paramCount, shapeSize, type ResolvedLayer } from '../spec';
import { footprint, NetMemory, WasmMemoryError } from './memory';
import { bytesPer, convWorkspace, poolWorkspace, wasmConv, wasmFc, wasmPool, wasmRelu, type WasmConvKernel, type Workspace } from './layer-kernels';
import { kernelsModule, preferredKernelBuild, type KernelBuild } from './module';

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
    this.hyper = memory.f64(UPDATE_HYPER_SLOT_COUNT);
    this.ranges = memory.f64(4 * maxRanges);
    this.gsum = memory.f32(params);
    this.xsum = memory.f32(params);
  }
}

const STEP_FIELDS = Object.keys(UPDATE_STEP_SLOTS) as (keyof typeof UPDATE_STEP_SLOTS)[];

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
    for (const field of STEP_FIELDS) hyper[UPDATE_STEP_SLOTS[field]] = step[field];
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
    return [hyper[UPDATE_RESULT_SLOTS.l2Loss], hyper[UPDATE_RESULT_SLOTS.l1Loss]];
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
  /** Which build of the module runs (module.ts): 'relaxed' fuses the inference routes' multiply-adds. */
  readonly build: KernelBuild;
  private readonly params: number;
  private readonly paramGroups: number;
  private updateSpace: WasmUpdateWorkspace | null = null;

  /** `params` and `paramGroups` size the update workspace (made on first use). */
  constructor(memory: NetMemory, build: KernelBuild, params = 0, paramGroups = 0) {
    this.memory = memory;
    this.build = build;
    this.params = params;
    this.paramGroups = paramGroups;
  }

  /** A DenseKernel, with both inference routes open (see WasmConvKernel). */
  conv(shape: ConvShape): WasmConvKernel {
    return wasmConv(this.memory, shape);
  }

  fc(numInputs: number, numOutputs: number): FcKernel {
    return wasmFc(this.memory, numInputs, numOutputs);
  }

  pool(shape: PoolShape): PoolKernel {
    return wasmPool(this.memory, shape);
  }

  relu(length: number): ReluKernel {
    return wasmRelu(this.memory, length);
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
 * Makes kernels for a memory of `bytes` on `build` (the preferred one when not
 * named), or returns null when that build cannot run here or the memory cannot be had.
 */
export function wasmKernelsWithMemory(bytes: number, params = 0, paramGroups = 0, build: KernelBuild = preferredKernelBuild()): WasmNetKernels | null {
  const module = kernelsModule(build);
  if (!module) return null;
  try {
    return new WasmNetKernels(new NetMemory(module, bytes), build, params, paramGroups);
  } catch (error) {
    if (error instanceof WasmMemoryError || error instanceof RangeError) return null;
    throw error;
  }
}

/** True where the WASM kernels can run (WebAssembly with 128-bit SIMD). */
export function wasmKernelsAvailable(): boolean {
  return kernelsModule('exact') !== null;
}

/**
 * The WASM kernel set. Used directly (without forNet) it cannot know how much
 * memory to make, so Net always goes through forNet; `fallback` serves a net whose
 * memory cannot be had (too large for wasm32) or a runtime without SIMD. `build`
 * pins the module build (module.ts); by default each net gets the preferred one.
 */
export function createWasmKernels(fallback: Kernels, build?: KernelBuild): Kernels {
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
      return wasmKernelsWithMemory(netMemoryBytes(specs), params, groups, build) ?? fallback;
    },
  };
}
