/**
 * Reading back the maxout pattern exportOnnx writes: [Slice +] Reshape + ReduceMax.
 *
 * ONNX has no maxout operator, so a maxout layer spans several nodes, and no single node
 * of the pattern means anything to ConvNetJS on its own (a 5-D tensor has no ConvNetJS
 * form). The reader therefore keeps the pattern open across nodes and only accepts the
 * exact sequence a maxout produces:
 *
 *   Slice    channels [0, groups * g) on axis 1, only when trailing channels do not fill a group
 *   Reshape  to [N, groups, g, H, W] (an image) or [N, groups, g] (a 1x1 volume held flat)
 *   ReduceMax over axis 2 with keepdims 0
 *
 * Channel c lands in group floor(c / g), which is how ConvNetJS groups consecutive
 * channels at every cell, so the result is a maxout layer of group_size g.
 */
import type { onnx } from 'onnx-proto';
import type { LayerDef, Shape } from '../spec';
import { NodeAttributes, nodeLabel, OnnxImportError, type ConstantTensor } from './graph-reader';

/** The flowing tensor as the chain reader tracks it. */
export interface MaxoutFlow {
  shape: Shape;
  layout: string;
}

/** Where an open pattern stands: channels kept by a Slice, or grouped by a Reshape. */
type Stage = { kind: 'sliced'; kept: number } | { kind: 'grouped'; groupSize: number; groups: number };

type ConstantOf = (node: onnx.INodeProto, position: number, what: string) => ConstantTensor | null;

const PATTERN = 'a maxout is read as [Slice +] Reshape to [N, groups, group_size, H, W] + ReduceMax over axis 2';

function batchDim(d: number | undefined): boolean {
  return d === 0 || d === -1 || d === 1;
}

function shown(values: readonly number[] | undefined): string {
  return values ? `[${values.join(', ')}]` : 'a value computed at run time';
}

export class MaxoutReader {
  private stage: Stage | null = null;

  /** Inside an open pattern only its next operator may come; anything else would lose the grouping. */
  checkNext(node: onnx.INodeProto): void {
    if (!this.stage) return;
    const wanted = this.stage.kind === 'sliced' ? 'Reshape' : 'ReduceMax';
    if (node.opType !== wanted) {
      throw new OnnxImportError(`${nodeLabel(node)} comes where a ${wanted} should finish the maxout; ${PATTERN}`);
    }
  }

  /** The graph ended (or its output was taken) in the middle of a pattern. */
  checkFinished(): void {
    if (this.stage) throw new OnnxImportError(`the model ends inside a maxout pattern; ${PATTERN}`);
  }

  /** Only a 1x1 volume is the same tensor flat and as an image, so only then may a flat tensor be grouped. */
  private channelsOf(node: onnx.INodeProto, flow: MaxoutFlow): void {
    const flat = flow.layout.startsWith('flat');
    if (flow.layout !== 'nchw' && !(flat && flow.shape.sx === 1 && flow.shape.sy === 1)) {
      throw new OnnxImportError(`${nodeLabel(node)}: a maxout must read an NCHW image or the output of a fully connected layer; ${PATTERN}`);
    }
  }

  /** A Slice is only supported as the first node of a maxout whose channels do not fill the last group. */
  slice(node: onnx.INodeProto, flow: MaxoutFlow, constantOf: ConstantOf): void {
    const label = nodeLabel(node);
    this.channelsOf(node, flow);
    if ((node.attribute ?? []).length > 0) throw new OnnxImportError(`${label}: a Slice with attributes (opset < 10) is not supported`);
    const ints = (position: number, what: string) => {
      const c = constantOf(node, position, what);
      return c ? Array.from(c.values) : undefined;
    };
    const starts = ints(1, 'starts');
    const ends = ints(2, 'ends');
    const axes = ints(3, 'axes') ?? [0];
    const steps = ints(4, 'steps') ?? [1];
    const kept = ends?.[0] ?? 0;
    const depth = flow.shape.depth;
    if (starts?.length !== 1 || starts[0] !== 0 || ends?.length !== 1 || axes.length !== 1 || axes[0] !== 1 || steps[0] !== 1 || !(kept >= 1 && kept < depth)) {
      throw new OnnxImportError(
        `${label}: slicing starts ${shown(starts)}, ends ${shown(ends)}, axes ${shown(axes)} is not supported; ` +
          `only keeping channels 0..k-1 of ${depth} (axis 1) before a maxout is`,
      );
    }
    this.stage = { kind: 'sliced', kept };
  }

  /**
   * Whether this Reshape groups channels for a maxout (then the pattern is open). A Reshape
   * that is no grouping is left to the caller, unless a Slice came first.
   */
  reshape(node: onnx.INodeProto, target: readonly number[] | undefined, flow: MaxoutFlow): boolean {
    const sliced = this.stage?.kind === 'sliced' ? this.stage.kept : null;
    this.stage = null;
    const { sx, sy, depth } = flow.shape;
    const image = flow.layout === 'nchw';
    const grouping = target && batchDim(target[0]) && (image ? target.length === 5 && target[3] === sy && target[4] === sx : target.length === 3);
    if (!grouping) {
      if (sliced !== null) throw new OnnxImportError(`${nodeLabel(node)}: reshaping to ${shown(target)} after a Slice is not supported; ${PATTERN}`);
      return false;
    }
    this.channelsOf(node, flow);
    const [, groups, groupSize] = target;
    const used = groups * groupSize;
    // ConvNetJS keeps floor(depth / g) groups: the Slice (if any) must drop exactly the channels that do not fill one.
    const fits = groups >= 1 && groupSize >= 1 && groups === Math.floor(depth / groupSize) && used === (sliced ?? depth);
    if (!fits) {
      const kept = sliced === null ? `all ${depth} channels` : `the ${sliced} channels the Slice keeps of ${depth}`;
      throw new OnnxImportError(
        `${nodeLabel(node)}: reshaping to ${shown(target)} does not group ${kept} into groups of consecutive channels as a maxout does; ${PATTERN}`,
      );
    }
    this.stage = { kind: 'grouped', groupSize, groups };
    return true;
  }

  /** Closes the pattern; returns the maxout layer and the shape it outputs. */
  reduceMax(node: onnx.INodeProto, flow: MaxoutFlow, constantOf: ConstantOf): { def: LayerDef; shape: Shape } {
    const label = nodeLabel(node);
    const stage = this.stage;
    this.stage = null;
    if (stage?.kind !== 'grouped') {
      throw new OnnxImportError(`${label}: a ReduceMax is only supported as the end of a maxout; ${PATTERN}`);
    }
    const attributes = new NodeAttributes(node);
    // Opset 18 moved axes from an attribute to an input; either way it must be the group axis.
    const axesInput = constantOf(node, 1, 'axes');
    const axes = axesInput ? Array.from(axesInput.values) : attributes.ints('axes', []);
    const rank = flow.layout === 'nchw' ? 5 : 3;
    if (axes.length !== 1 || (axes[0] + rank) % rank !== 2) {
      throw new OnnxImportError(`${label}: reducing over axes ${shown(axes)} is not supported; ${PATTERN}`);
    }
    attributes.expect('keepdims', attributes.int('keepdims', 1), 0, 'the group axis must go, leaving one channel per group');
    return {
      def: { type: 'maxout', group_size: stage.groupSize },
      shape: { sx: flow.shape.sx, sy: flow.shape.sy, depth: stage.groups },
    };
  }
}
