/**
 * Static descriptions of a network's layers for the network view and the editor
 * preview: shapes, windows and parameter counts with the formula that produced them.
 */
import { paramCount, shapeSize, type ResolvedLayer, type TrainerSpec } from '../engine/spec';
import type { LayerSummary, NetworkSummary } from './protocol';

/**
 * The parameter count written as the product that gives it, as the original demo did:
 * conv `filters x sx x sy x inDepth + filters`, fc `neurons x inputs + neurons`.
 */
export function paramFormula(layer: ResolvedLayer): string | null {
  switch (layer.type) {
    case 'conv':
      return `${layer.filters}x${layer.sx}x${layer.sy}x${layer.in.depth}+${layer.filters} = ${paramCount(layer)}`;
    case 'fc':
      return `${layer.numNeurons}x${shapeSize(layer.in)}+${layer.numNeurons} = ${paramCount(layer)}`;
    default:
      return null;
  }
}

export function summarizeLayer(layer: ResolvedLayer): LayerSummary {
  const hasWindow = layer.type === 'conv' || layer.type === 'pool';
  return {
    index: layer.index,
    type: layer.type,
    in: { ...layer.in },
    out: { ...layer.out },
    window: hasWindow ? { sx: layer.sx, sy: layer.sy, stride: layer.stride, pad: layer.pad } : null,
    filters: layer.type === 'conv' ? layer.filters : layer.type === 'fc' ? layer.numNeurons : null,
    paramCount: paramCount(layer),
    paramFormula: paramFormula(layer),
  };
}

export function summarizeNetwork(
  layers: readonly ResolvedLayer[],
  trainer: TrainerSpec,
  definitionText: string,
): NetworkSummary {
  const summaries = layers.map(summarizeLayer);
  return {
    layers: summaries,
    totalParams: summaries.reduce((sum, l) => sum + l.paramCount, 0),
    trainer: { ...trainer },
    definitionText,
  };
}
