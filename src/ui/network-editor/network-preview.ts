/**
 * What the editor shows under the box before anything is applied: each layer's output
 * shape and parameter count, or the engine's first complaint with the line it points at.
 * Pure (parse + summarize), cheap for definition-sized texts, so it runs on the main thread.
 */
import { parseNetwork } from '../../engine';
import { SpecError } from '../../engine';
import { summarizeLayer } from '../../training/summary';
import type { LayerSummary } from '../../training/protocol';
import { errorMessage } from '../../engine';
import type { DatasetIdentity } from '../../training/protocol';
import { datasetFitProblem } from './dataset-fit';

export interface DefinitionProblem {
  message: string;
  /** 1-based line of the definition the problem is on, with that line's text. */
  line: number | null;
  lineText: string | null;
}

export type NetworkPreview =
  | {
      ok: true;
      layers: LayerSummary[];
      totalParams: number;
      /** Why the network, valid as it is, cannot train on the dataset (its input shape or class count), or null. */
      misfit: string | null;
    }
  | { ok: false; problem: DefinitionProblem };

export function previewDefinition(text: string, dataset: DatasetIdentity): NetworkPreview {
  try {
    const { layers } = parseNetwork(text);
    const summaries = layers.map(summarizeLayer);
    return {
      ok: true,
      layers: summaries,
      totalParams: summaries.reduce((sum, l) => sum + l.paramCount, 0),
      misfit: datasetFitProblem(layers, dataset),
    };
  } catch (err) {
    return { ok: false, problem: describeProblem(text, err) };
  }
}

/** Turns whatever parsing threw into a message and, when known, the offending line. */
export function describeProblem(text: string, err: unknown): DefinitionProblem {
  if (err instanceof SpecError) {
    const located = err.issues.find((issue) => issue.line !== undefined);
    const line = located?.line ?? null;
    return { message: err.message, line, lineText: line === null ? null : (text.split('\n')[line - 1] ?? null) };
  }
  return { message: errorMessage(err), line: null, lineText: null };
}
