/**
 * The engine's verdict on the form, row by row: each layer definition's output shape and
 * parameter count (after ConvNetJS's desugaring), and the engine's own messages for the
 * row, the trainer or the network as a whole. Pure, and cheap enough to run on every edit.
 */
import {
  isLossType,
  paramCount,
  resolveLayers,
  resolveTrainer,
  SpecError,
  type LayerDef,
  type ResolvedLayer,
  type Shape,
  type SpecIssue,
} from '../../engine';
import { modelDefinition, type NetworkFormModel } from './form-model';

export interface RowCheck {
  /** What this definition becomes, e.g. conv + relu; empty while the shapes before it are unknown. */
  layers: ResolvedLayer[];
  /** Output of the last layer it becomes; null when unknown (it or a layer before it is invalid). */
  out: Shape | null;
  params: number | null;
  /** The engine's messages about this row. */
  issues: SpecIssue[];
  /** When `out` is unknown: the row whose problem stops the shapes from being computed. */
  blockedBy: number | null;
}

export interface FormCheck {
  rows: RowCheck[];
  /** Messages about the trainer options (field set when the engine names one). */
  trainer: SpecIssue[];
  /** Messages about the network as a whole (too few layers, too many parameters, ...). */
  general: SpecIssue[];
  ok: boolean;
}

function specIssues(run: () => unknown): SpecIssue[] {
  try {
    run();
    return [];
  } catch (error) {
    if (error instanceof SpecError) return error.issues;
    throw error;
  }
}

function tryResolve(defs: readonly LayerDef[]): ResolvedLayer[] | null {
  try {
    return resolveLayers(defs);
  } catch (error) {
    if (error instanceof SpecError) return null;
    throw error;
  }
}

/**
 * Shapes of the rows before the first one the engine complains about. The engine only
 * resolves whole networks (input first, loss last), so the valid prefix is closed with a
 * one-output regression layer that is then dropped.
 */
function prefixLayers(defs: readonly LayerDef[], firstBad: number): ResolvedLayer[] {
  if (firstBad <= 0) return [];
  const prefix = defs.slice(0, firstBad);
  const lastType = prefix[prefix.length - 1]?.type;
  const closed = typeof lastType === 'string' && isLossType(lastType) ? prefix : [...prefix, { type: 'regression', num_neurons: 1 }];
  return (tryResolve(closed) ?? []).filter((layer) => layer.sourceIndex < firstBad);
}

export function checkModel(model: NetworkFormModel): FormCheck {
  const { layers: defs, trainer } = modelDefinition(model);
  let whole: ResolvedLayer[] = [];
  const layerIssues = specIssues(() => (whole = resolveLayers(defs)));
  const trainerIssues = specIssues(() => resolveTrainer(trainer));

  const firstBad = Math.min(defs.length, ...layerIssues.map((issue) => issue.layerIndex ?? defs.length));
  const resolved = layerIssues.length === 0 ? whole : prefixLayers(defs, firstBad);

  const rows = defs.map((_, index): RowCheck => {
    const layers = resolved.filter((layer) => layer.sourceIndex === index);
    const last = layers[layers.length - 1];
    return {
      layers,
      out: last ? last.out : null,
      params: last ? layers.reduce((sum, layer) => sum + paramCount(layer), 0) : null,
      issues: layerIssues.filter((issue) => issue.layerIndex === index),
      blockedBy: last || firstBad >= defs.length ? null : firstBad,
    };
  });
  const general = layerIssues.filter((issue) => issue.layerIndex === undefined || issue.layerIndex >= defs.length);
  return { rows, trainer: trainerIssues, general, ok: layerIssues.length === 0 && trainerIssues.length === 0 };
}

/**
 * The engine's first complaint about the form, in the order a person reads it: rows, then
 * trainer. It names the row as the form labels it ("layer 1 (conv)") and the field, never
 * a line: the form has none.
 */
export function firstProblem(check: FormCheck): string | null {
  const issue = check.general[0] ?? check.rows.find((row) => row.issues.length > 0)?.issues[0] ?? check.trainer[0];
  if (!issue) return null;
  const message = issue.message.replace(/^line \d+(?:, column \d+)?: /, '');
  return issue.field && !message.includes(issue.field) ? `${message} (field ${issue.field})` : message;
}
