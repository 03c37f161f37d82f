/**
 * The shape of the dashboard store: what components read (through selectors) and the
 * actions they call. Components never talk to the worker; the bridge does.
 */
import type { TrainerSpec } from '../engine';
import type {
  ActionResult,
  OnnxExport,
  ClassProbability,
  DataProgress,
  DatasetChoice,
  DatasetIdentity,
  DatasetLoadProgress,
  DatasetLoadRequest,
  StoredDatasetInfo,
  LayerView,
  LayerStatsPoint,
  LossPoint,
  NetworkSummary,
  TestPrediction,
  TrainingStats,
} from '../training/protocol';
import type { TestEvaluation } from '../training/evaluation';
import type { SessionCheckpoint } from '../training/checkpoint';
import type { ComparisonRequest, ComparisonUpdate } from '../comparison/protocol';
import type { LossHistory } from './loss-history';

/**
 * What the page found in the autosave when it loaded: a run it resumed (paused, until the
 * person chooses Resume or Start fresh), or a saved run it could not use and why.
 */
export type AutosaveNotice =
  | { kind: 'resumed'; examples: number; savedAt: number }
  | { kind: 'refused'; message: string }
  /** The tab's run is open in another tab: this tab started a run of its own instead. */
  | { kind: 'open-elsewhere'; message: string };

/** A run kept by the autosave, as the recent-runs offer lists it (see autosave-runs.ts). */
export interface SavedRunSummary {
  id: string;
  /** ms since the epoch. */
  savedAt: number;
  examples: number;
  /** Validation accuracy (training accuracy before there is one), a fraction; null before either. */
  accuracy: number | null;
  /** e.g. "conv 8 · pool · softmax 10 · adadelta". */
  network: string;
  params: number;
  /** About how much storage the record takes, B. */
  bytes: number;
  /** Another tab has it open (so it cannot be resumed or deleted here). */
  openElsewhere?: boolean;
}

/** The full test-set evaluation: its progress while it runs, the last result once done. */
export interface EvaluationState {
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  /** Images evaluated so far, out of total (while running). */
  done: number;
  total: number;
  /** The last finished evaluation of this run; kept while a new one runs. */
  result: TestEvaluation | null;
  error: string | null;
}

/** A finished full test-set evaluation as a point of the accuracy chart (fractions in [0, 1]). */
export interface TestEvaluationPoint {
  /** Examples seen when the evaluated weights were taken. */
  examples: number;
  fourCropAccuracy: number;
  centerAccuracy: number;
}

export interface UserImageResult {
  /** Preprocessed pixels 0..255 at the dataset's size and channels (HWC), as the network saw them (before cropping). */
  pixels: Uint8Array;
  top3: ClassProbability[];
}

/** The Dataset panel: which dataset the page trains on, the kept ones, and a load in progress or its outcome. */
export interface DatasetPanelState {
  /** What the page trains on (remembered across reloads). */
  choice: DatasetChoice;
  /** Datasets kept in this browser, newest first. */
  kept: StoredDatasetInfo[];
  status: 'idle' | 'loading' | 'loaded' | 'refused';
  progress: DatasetLoadProgress | null;
  /** Why the last load or forget was refused (nothing changed), or null. */
  error: string | null;
  /** Files the last load left out: how many for each reason, and the first few by name. */
  skipped: { counts: Partial<Record<string, number>>; examples: { path: string; reason: string }[] } | null;
}

export interface DatasetSlice {
  datasetPanel: DatasetPanelState;
}

/** The run in force: data, statistics, network, chart, banners; and where a restart goes back to. */
export interface RunSlice {
  data: DataProgress;
  stats: TrainingStats | null;
  network: NetworkSummary | null;
  /**
   * The dataset the session trains on (its shape and class names): MNIST until a session
   * says otherwise in its first push; kept across a restart until the new session speaks.
   */
  dataset: DatasetIdentity;
  /** Downsampled, bounded history for the chart (chartHistory.values). */
  lossHistory: LossPoint[];
  /** The bounded, downsampling buffer behind lossHistory. */
  chartHistory: LossHistory;
  /** A fault that stopped training (worker exception, data failure), shown as a banner. */
  fault: string | null;
  /** Something the person should know that did not stop training (e.g. a shared link was partly refused). */
  notice: string | null;
  /** The session's run the store shows; null until the first update of a (re)started worker. */
  runId: number | null;
  /** Set while a worker starts from a checkpoint: its first run goes on with the chart shown, not a new one. */
  continuesRun: boolean;
  /** The last checkpoint the worker gave (autosave): where a restart after a fault goes back to. */
  lastCheckpoint: SessionCheckpoint | null;
  /** Training threads picked with setTrainingWorkers (kept in the URL's `workers`), or null: the worker's own choice. */
  trainingWorkers: number | null;
}

/** What the layer panels draw, and the bookkeeping of asking the worker for it. */
export interface ViewsSlice {
  /** Keyed by layer index; only layers whose panels are on screen are refreshed. */
  layerViews: Record<number, LayerView>;
  userImage: UserImageResult | null;
  /** The layer views are pinned to one training example ("freeze example"). */
  exampleFrozen: boolean;
  /** Layer panels on screen, ascending; only those are refreshed. */
  visibleLayers: number[];
  /** The layer views need a refresh even though training is not running (step, pause, new image). */
  viewsStale: boolean;
}

/** The test predictions list, refreshed at most once a second (see PREDICTIONS_PERIOD_MS). */
export interface PredictionsSlice {
  /** Newest first, at most 200. */
  predictions: TestPrediction[];
  /** Received but not yet shown, oldest first. */
  heldPredictions: TestPrediction[];
  /** When the list last changed, ms since the epoch. */
  predictionsShownAt: number;
}

export interface EvaluationSlice {
  evaluation: EvaluationState;
  /** Finished test-set evaluations of this run, oldest first, bounded; "Clear graph" empties them too. */
  testEvaluationPoints: TestEvaluationPoint[];
  /** Bumped by every evaluation start and cancel, so a superseded evaluation's answers are ignored. */
  evaluationGeneration: number;
}

export interface AutosaveSlice {
  /** The autosave found at page load, until dealt with (see AutosaveNotice); null otherwise. */
  autosave: AutosaveNotice | null;
  /** This tab's run id: its autosave record, kept in the URL and sessionStorage; null without autosave. */
  savedRunId: string | null;
  /** The recent runs a page opened fresh offers to resume, newest first; empty once dealt with. */
  savedRuns: SavedRunSummary[];
  /** Why the last resume or delete from the offer did not happen, or null. */
  savedRunsProblem: string | null;
  /** How often the autosave saves while training runs, ms; null without autosave. */
  autosavePeriodMs: number | null;
  /** How long the last save took (copy out of the worker and write), ms; null before one. */
  autosaveSaveMs: number | null;
}

/** idle: nothing started yet; stopped: the last comparison's results stay on show. */
export type ComparisonStatus = 'idle' | 'starting' | 'active' | 'stopped';

/** The trainer comparison panel's run (a worker of its own, see src/comparison). */
export interface ComparisonState {
  status: ComparisonStatus;
  update: ComparisonUpdate | null;
  error: string | null;
  /** The comparison paused the main training, and Stop will resume it. */
  pausedMainTraining: boolean;
}

export interface ComparisonSlice {
  comparison: ComparisonState;
}

export type DashboardState = RunSlice &
  ViewsSlice &
  PredictionsSlice &
  EvaluationSlice &
  AutosaveSlice &
  ComparisonSlice &
  DatasetSlice & {
    actions: DashboardActions;
  };

export interface DashboardActions {
  pause(): Promise<void>;
  resume(): Promise<void>;
  step(): Promise<void>;
  /** Validates and applies live; a rejected change leaves the trainer as it was. */
  setTrainer(changes: Partial<TrainerSpec>): Promise<ActionResult>;
  /** Parses, validates and rebuilds net + trainer; resets stats and chart on success only. */
  setNetwork(definitionText: string): Promise<ActionResult>;
  /** Same network and trainer, fresh weights from `seed` (whole, 0..2^32-1); stats, chart and predictions start over. */
  restartRun(seed: number): Promise<ActionResult>;
  dismissNotice(): void;
  /** ConvNetJS-format JSON text of the current net. */
  saveSnapshot(): Promise<string>;
  loadSnapshot(jsonText: string): Promise<ActionResult>;
  /** The network in force as ONNX bytes, or why it cannot be written. */
  saveOnnx(): Promise<OnnxExport>;
  loadOnnx(bytes: Uint8Array): Promise<ActionResult>;
  /**
   * pixels: 0..255 at the dataset's width x height x channels (HWC; for MNIST 28x28, light digit on dark). Unlike the
   * worker's call, it answers ok/error only and keeps the image and its top 3 in `userImage`.
   */
  classifyImage(pixels: Uint8Array): Promise<ActionResult>;
  /**
   * While a user image is set, the layer views show that image's activations (a forward
   * pass of it, gradients for its predicted class); this returns them to training examples.
   */
  clearInspectedImage(): void;
  /** Empties the metrics charts: loss, accuracy windows and test evaluation points. */
  clearLossHistory(): void;
  /** Views of the given layers for the layer inspector, outside the panels' refresh cycle; [] on failure. */
  layerViews(indices: number[]): Promise<LayerView[]>;
  /** Per-layer weight norm, gradient norm and update ratio over the run, oldest first; [] on failure. */
  layerTrainingHistory(): Promise<LayerStatsPoint[]>;
  /** Pins the layer views to the last training example (true) or lets them follow training again. */
  freezeExample(frozen: boolean): Promise<void>;
  /** Which layer panels are visible; only those get layer views. */
  setVisibleLayers(indices: number[]): void;
  retryData(): Promise<void>;
  /** A new worker: from the last checkpoint when there is one (after a fault), else a fresh run. */
  restartTraining(): Promise<void>;
  /**
   * Restarts the training workers with `workers` threads (1 up to the cores); the run goes
   * on from a checkpoint taken now, running or paused as it was.
   */
  setTrainingWorkers(workers: number): Promise<void>;
  /** Evaluates the whole test set in the worker, beside training; progress lands in `evaluation`. */
  evaluateTestSet(): Promise<void>;
  cancelEvaluation(): void;
  /** Raw pixels (784 bytes each, in order) of test images an evaluation view shows. */
  testImages(indices: number[]): Promise<Uint8Array>;
  /**
   * A copy of the run (for the autosave), also kept in memory as the checkpoint a restart
   * after a worker fault goes back to. Null when the worker cannot give one (a fault, no answer).
   */
  exportCheckpoint(): Promise<SessionCheckpoint | null>;
  /** The autosave banner's "Resume": trains on from the restored run. */
  resumeFromAutosave(): Promise<void>;
  /** The autosave banner's "Start fresh": forgets the autosave and starts a new run (the link's, or the default). */
  startFresh(): Promise<void>;
  /** Hides a notice about an autosave that could not be used. */
  dismissAutosaveNotice(): void;
  /** The recent-runs offer's "Resume": this tab goes on with that saved run (paused), unless another tab has it open. */
  resumeSavedRun(id: string): Promise<void>;
  /** The recent-runs offer's "Delete": forgets that saved run, unless another tab has it open. */
  deleteSavedRun(id: string): Promise<void>;
  /** Hides the recent-runs offer. */
  dismissSavedRuns(): void;
  /**
   * Starts a trainer comparison. While one is active the main training stays paused (both
   * would share the same cores); stopComparison resumes it if the comparison paused it.
   */
  startComparison(request: ComparisonRequest): Promise<void>;
  pauseComparison(): Promise<void>;
  resumeComparison(): Promise<void>;
  stopComparison(): Promise<void>;
  /** Reads which datasets this browser keeps (the Dataset panel, when it opens). */
  refreshDatasets(): Promise<void>;
  /** Loads picked files off the main thread and keeps them; on success the page trains on them (a new run). */
  loadDataset(request: DatasetLoadRequest): Promise<void>;
  /** Trains on another dataset (a new run); the network stays when it fits, else the dataset's default. */
  chooseDataset(choice: DatasetChoice): Promise<void>;
  /** Forgets a kept dataset; when it is the one in force, the page goes back to MNIST. */
  forgetDataset(id: string): Promise<void>;
}
