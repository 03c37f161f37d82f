/**
 * The contract between the page and the comparison worker, declared once: its operations
 * (ComparisonApi), the events it pushes (ComparisonEvents), and the plain, structured-
 * clonable data that crosses. The comparison trains several copies of one network, one
 * per trainer configuration, on the same examples. The worker implements ComparisonApi;
 * the client wraps its controls with one loop over COMPARISON_CONTROLS.
 */
import type { TrainerSpec } from '../engine/spec';
import { namesOf, type ActionResult } from '../training/protocol';

export interface ComparisonApi {
  /**
   * Checks the request, builds the networks and starts training as soon as data is in.
   * A rejected request changes nothing and says why.
   */
  start(request: ComparisonRequest, options: ComparisonStartOptions, events: ComparisonEvents): ActionResult;
  pause(): void;
  resume(): void;
}

/** The operations on a started comparison, by name: what the client wraps as they are. */
export type ComparisonControls = Pick<ComparisonApi, 'pause' | 'resume'>;
export const COMPARISON_CONTROLS = namesOf<ComparisonControls>({ pause: true, resume: true });

/** What the comparison worker pushes to the page. */
export interface ComparisonEvents {
  /** Progress, a few times a second while running and after each action. */
  update(update: ComparisonUpdate): void;
  /** The comparison stopped for good (worker crash, exception in a step). */
  fault(message: string): void;
}

export const COMPARISON_EVENTS = namesOf<ComparisonEvents>({ update: true, fault: true });

export interface ComparisonStartOptions {
  /** URL of the directory holding the MNIST chunks' manifest.json. */
  dataUrl: string;
}

/** Fewest and most trainer configurations a comparison takes. */
export const MIN_COMPARED_TRAINERS = 2;
export const MAX_COMPARED_TRAINERS = 6;

/** What the page asks the worker to compare. */
export interface ComparisonRequest {
  /** Network definition (ConvNetJS snippet or JSON); its trainer part is ignored. */
  definitionText: string;
  /** One entry per run, validated again in the worker with resolveTrainer. */
  trainers: TrainerSpec[];
  /** Legend names, one per trainer. */
  labels: string[];
  /** Seeds the initial weights, the example stream and the crops. */
  seed: number;
}

/**
 * One point of a run's curves, at `examples` examples seen by that run. Values are
 * moving-window means (100 examples), so the curves are smoothed; an accuracy is null
 * until its window has enough values.
 */
export interface CurvePoint {
  examples: number;
  /** Classification loss plus weight-decay loss. */
  loss: number;
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
}

/** How one trainer configuration is doing. */
export interface RunReport {
  label: string;
  trainer: TrainerSpec;
  examples: number;
  /** Smoothed total loss (classification + decay); null before the first example. */
  loss: number | null;
  trainingAccuracy: number | null;
  validationAccuracy: number | null;
  /** Mean time of one training example (forward, backward, update share), ms. */
  msPerExample: number | null;
  /** Set when this run's loss became NaN or infinite; the run stopped, the others go on. */
  stoppedReason: string | null;
  /** Bounded, downsampled history, oldest first. */
  curve: CurvePoint[];
}

export type ComparisonPhase = 'waiting-for-data' | 'running' | 'paused';

/** One push from the worker (a few times a second while running, and after each action). */
export interface ComparisonUpdate {
  phase: ComparisonPhase;
  runs: RunReport[];
  /** Set while the MNIST data loads, or when it failed. */
  dataMessage: string | null;
}
