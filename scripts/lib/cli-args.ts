/**
 * Command-line options of `npm run train` and `npm run eval`: one table per command
 * drives parsing (node:util parseArgs, strict), validation and the usage line.
 * Every mistake becomes a UsageError with a one-line reason.
 */
import { parseArgs } from 'node:util';
import { DATASET_FORMATS, DEFAULT_DATASET_CAPS, type Channels, type DatasetFormat } from '../../src/data/dataset';
import { closestName } from '../../src/engine/suggest';

/** A user mistake on the command line or in a file it names: reported in one line, exit code 2. */
export class UsageError extends Error {
  /** Whether the usage line helps (command-line mistakes) or not (a bad file's content). */
  readonly showUsage: boolean;
  constructor(message: string, showUsage = true) {
    super(message);
    this.name = 'UsageError';
    this.showUsage = showUsage;
  }
}

export type EvalMode = '4crop' | 'center' | 'both';
const EVAL_MODES: readonly EvalMode[] = ['4crop', 'center', 'both'];

export type TrainBudget =
  | { kind: 'examples'; examples: number }
  | { kind: 'epochs'; epochs: number }
  | { kind: 'seconds'; seconds: number };

/** Where the images come from: the built-in MNIST (dir null) or a directory of local files. */
export interface DataOptions {
  /** --data DIR, or null for the built-in MNIST. */
  dataDir: string | null;
  /** --data-format; null: decided by what the directory holds. */
  dataFormat: DatasetFormat | null;
  /** --image-size and --image-channels: how an image folder is read (as the page's Dataset panel asks). */
  imageSide: number;
  imageChannels: Channels;
}

export interface TrainOptions extends DataOptions {
  budget: TrainBudget;
  seed: number;
  netFile: string | null;
  initFile: string | null;
  outFile: string | null;
  evalMode: EvalMode;
  /** Evaluate on the first N test (and validation) images only; for quick checks and tests. */
  testLimit: number | null;
  /** Example counts at which to print an intermediate test evaluation (ascending). */
  evalAt: number[];
  quiet: boolean;
  help: boolean;
  /** Worker threads to train on, as requested (the CLI clamps it to the cores). */
  workers: number;
  /** Stop once the 4-crop test accuracy reaches this fraction at an evaluation point; null: no target. */
  until: number | null;
  /** The evaluation points of --until: after `first` examples, then every `every`. */
  untilSchedule: { first: number; every: number };
}

export interface EvalOptions extends DataOptions {
  modelFile: string;
  evalMode: EvalMode;
  seed: number;
  testLimit: number | null;
  quiet: boolean;
  help: boolean;
  /** Worker threads to evaluate on, as requested (the CLI clamps it to the cores). */
  workers: number;
}

/** --until defaults: evaluate after 60k examples (about one epoch), then every 10k; at most 20 epochs. */
const UNTIL_FIRST = 60_000;
const UNTIL_EVERY = 10_000;
const UNTIL_MAX_EPOCHS = 20;

export const TRAIN_USAGE =
  'usage: npm run train -- [--examples N | --epochs N | --seconds N] [--seed S] [--net FILE] ' +
  '[--init SNAPSHOT.json] [--out SNAPSHOT.json] [--eval 4crop|center|both] [--eval-at N,N,...] [--test-limit N] ' +
  '[--workers N] [--until ACCURACY [--eval-from N] [--eval-every N]] [--data DIR [--data-format idx|images|cifar10] [--image-size N] [--image-channels 1|3]] [--quiet]';

export const EVAL_USAGE =
  'usage: npm run eval -- --model SNAPSHOT.json [--eval 4crop|center|both] [--seed S] [--test-limit N] [--workers N] ' +
  '[--data DIR [--data-format idx|images|cifar10] [--image-size N] [--image-channels 1|3]] [--quiet]';

/** An image folder's default size: MNIST's, as the page's Dataset panel starts. */
const DEFAULT_IMAGE_SIDE = 28;

const DATA_HELP = `  --data DIR        use the dataset in DIR instead of the built-in MNIST: the four
                    MNIST-format IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-...,
                    raw or .gz, with an optional classes.txt) or the CIFAR-10 binary batches
                    (data_batch_1..5.bin, test_batch.bin, batches.meta.txt). The result line then
                    also holds "dataset": {"name","classes","shape","train","test","fingerprint"}.
                    Its augmentation follows its shape: 28x28 gray sets are cropped as MNIST; colour
                    sets are shifted up to 2 px and mirrored, and "4crop" is then their test-time
                    average (the image and 6 shifted copies, the last 3 mirrored), as ConvNetJS's CIFAR-10 demo.
                    Or a folder of your own images, one sub-folder per class (cat/1.png, dog/2.jpg, ...;
                    a test/ folder of the same classes, else 15% of each class, chosen by --seed, is held out);
                    PNG and JPEG only here (convert WebP, GIF, BMP to PNG, or load the folder in the page).
                    Files that cannot be used are skipped and named on stderr, as the page lists them
  --data-format F   idx, cifar10 or images; default by what DIR holds
  --image-size N    images: resize every image to N x N pixels (default ${DEFAULT_IMAGE_SIDE})
  --image-channels C  images: 1 for gray (default), 3 for colour (RGB)`;

export const TRAIN_HELP = `${TRAIN_USAGE}

Trains a network on MNIST (60k training images minus a 10% validation split chosen by
the seed), or on the dataset of --data DIR, with random crops of the network's input size,
then reports accuracies on the test set. The last line of stdout is one JSON object:
  {"examples","seconds","examplesPerSecond","validationAccuracy","testAccuracy4Crop","testAccuracyCenter","seed",
   "evaluationSeconds","workers","reachedAt"}
("seconds" is training time only; "evaluationSeconds" is the time of every evaluation, the final
one included; "reachedAt" is {"examples","seconds"} where --until was reached, else null.)

  --examples N      train on N examples
  --epochs N        train N passes over the training split (default 1; fractions allowed)
  --seconds N       train for N seconds of training time
  --seed S          integer 0..4294967295 that fixes init, split, order and crops (default 1)
  --net FILE        network and trainer definition (ConvNetJS snippet or JSON); default the seed network,
                    or with --data the dataset's default, as the page picks it (the seed network with one
                    output per class for 28x28 gray, ConvNetJS's CIFAR-10 network for 32x32 colour)
  --init FILE       start from a ConvNetJS JSON snapshot (its trainer comes from --net, else the default network's)
  --out FILE        write the trained network as a ConvNetJS JSON snapshot
  --eval MODE       test-time crops: 4crop, center or both (default both)
  --eval-at N,N,... also evaluate the test set after these numbers of examples; each prints a line
                    {"checkpoint":true,"examples","seconds","testAccuracy4Crop","testAccuracyCenter"}
                    (evaluation time is not counted as training time, and does not change training)
  --test-limit N    evaluate only the first N test and validation images (quick checks)
  --workers N       train on N worker threads (default 1), data-parallel: each mini-batch is split
                    over the workers and their gradients summed, then one update, as with 1 worker.
                    N is clamped to the cores available. A seed reproduces a run for a given N.
  --until ACCURACY  stop once the 4-crop accuracy on the test set (--test-limit applies) reaches
                    ACCURACY, a fraction such as 0.99, at an evaluation point; without a budget option
                    trains at most ${UNTIL_MAX_EPOCHS} epochs. Each point prints a line
                    {"checkpoint":true,"examples","seconds","testAccuracy4Crop","testAccuracyCenter","evaluationSeconds",
                     "imagesEvaluated","imagesMisclassified"}; a point stops classifying once the target is out of
                    reach, and its testAccuracy4Crop is then null
  --eval-from N     first --until evaluation after N examples (default ${UNTIL_FIRST})
  --eval-every N    then one every N examples (default ${UNTIL_EVERY})
${DATA_HELP}
  --quiet           no progress bar on stderr`;

export const EVAL_HELP = `${EVAL_USAGE}

Evaluates a ConvNetJS JSON snapshot (written by --out or by ConvNetJS itself) on the
10k MNIST test set (or the test set of --data). The last line of stdout is one JSON object:
  {"examples","testAccuracy4Crop","testAccuracyCenter"} (and "dataset" with --data)

  --workers N       classify on N worker threads (default 1; at most the machine's cores): the
                    images are split over them, with the same crops, so the figures do not change

${DATA_HELP}`;

type OptionTable = Record<string, { type: 'string' | 'boolean' }>;

const TRAIN_OPTIONS = {
  examples: { type: 'string' },
  epochs: { type: 'string' },
  seconds: { type: 'string' },
  seed: { type: 'string' },
  net: { type: 'string' },
  init: { type: 'string' },
  out: { type: 'string' },
  eval: { type: 'string' },
  'test-limit': { type: 'string' },
  'eval-at': { type: 'string' },
  workers: { type: 'string' },
  until: { type: 'string' },
  'eval-from': { type: 'string' },
  'eval-every': { type: 'string' },
  data: { type: 'string' },
  'data-format': { type: 'string' },
  'image-size': { type: 'string' },
  'image-channels': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} satisfies OptionTable;

const EVAL_OPTIONS = {
  model: { type: 'string' },
  eval: { type: 'string' },
  seed: { type: 'string' },
  'test-limit': { type: 'string' },
  workers: { type: 'string' },
  data: { type: 'string' },
  'data-format': { type: 'string' },
  'image-size': { type: 'string' },
  'image-channels': { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} satisfies OptionTable;

/** parseArgs with its errors turned into one-line UsageErrors. */
export function parseStrict<T extends OptionTable>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const e = error as Error & { code?: string };
    const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
        const near = closestName(quoted.replace(/^-+/, ''), Object.keys(options));
        throw new UsageError(`unknown option ${quoted}${near ? `; did you mean --${near}?` : ''}`);
      }
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const name = quoted.split(' ')[0];
        const needsValue = options[name.replace(/^-+/, '')]?.type === 'string';
        if (!needsValue) throw new UsageError(`option ${name} takes no value`);
        // parseArgs reads "--seed -1" as a missing value followed by an option "-1".
        const next = argv[argv.indexOf(name) + 1];
        if (next !== undefined && /^-\d/.test(next)) {
          throw new UsageError(`${name} must not be negative, got '${next}'`);
        }
        throw new UsageError(`option ${name} needs a value`);
      }
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(`unexpected argument '${quoted}'; every value follows an --option`);
      default:
        throw new UsageError(e.message);
    }
  }
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

function positiveNumber(flag: string, text: string): number {
  const value = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!(value > 0 && Number.isFinite(value))) {
    throw new UsageError(`--${flag} must be a positive number, got '${text}'`);
  }
  return value;
}

function exampleCounts(flag: string, text: string | undefined): number[] {
  if (text === undefined) return [];
  const counts = text.split(',').map((part) => wholeNumber(flag, part.trim(), 1, MAX_EXAMPLES));
  if (counts.some((c, i) => i > 0 && c <= counts[i - 1])) {
    throw new UsageError(`--${flag} must list example counts in increasing order, got '${text}'`);
  }
  return counts;
}

/** An accuracy target: a fraction in (0, 1]; a percentage gets a hint. */
function accuracyTarget(flag: string, text: string): number {
  const value = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (value > 0 && value <= 1) return value;
  const hint = value > 1 && value <= 100 ? ` (a fraction: ${value / 100} for ${value}%)` : ' (e.g. 0.99)';
  throw new UsageError(`--${flag} must be an accuracy above 0 and at most 1${hint}, got '${text}'`);
}

function evalMode(text: string | undefined): EvalMode {
  if (text === undefined) return 'both';
  if ((EVAL_MODES as readonly string[]).includes(text)) return text as EvalMode;
  throw new UsageError(`--eval must be 4crop, center or both, got '${text}'`);
}

export function fileName(flag: string, text: string | undefined): string | null {
  if (text === undefined) return null;
  if (text.trim() === '') throw new UsageError(`--${flag} needs a file name`);
  return text;
}

/** --data, --data-format, --image-size and --image-channels. */
function dataOptions(v: { data?: string; 'data-format'?: string; 'image-size'?: string; 'image-channels'?: string }): DataOptions {
  const format = v['data-format'];
  if (format !== undefined && v.data === undefined) throw new UsageError('--data-format says how to read --data DIR; give --data too');
  if (v.data !== undefined && v.data.trim() === '') throw new UsageError('--data needs a directory');
  let dataFormat: DatasetFormat | null = null;
  if (format !== undefined) {
    dataFormat = DATASET_FORMATS.find((candidate) => candidate === format) ?? null;
    if (dataFormat === null) throw new UsageError(`--data-format must be ${DATASET_FORMATS.join(', ')}, got '${format}'`);
  }
  for (const flag of ['image-size', 'image-channels'] as const) {
    if (v[flag] === undefined) continue;
    if (v.data === undefined) throw new UsageError(`--${flag} says how to read an image folder; give --data DIR too`);
    if (dataFormat !== null && dataFormat !== 'images') throw new UsageError(`--${flag} is for --data-format images, not ${dataFormat}`);
  }
  const sideText = v['image-size'];
  const imageSide = sideText === undefined ? DEFAULT_IMAGE_SIDE : wholeNumber('image-size', sideText, 1, DEFAULT_DATASET_CAPS.maxImageSide);
  const channelsText = v['image-channels'];
  if (channelsText !== undefined && channelsText !== '1' && channelsText !== '3') {
    throw new UsageError(`--image-channels must be 1 (gray) or 3 (colour), got '${channelsText}'`);
  }
  return { dataDir: v.data ?? null, dataFormat, imageSide, imageChannels: channelsText === '3' ? 3 : 1 };
}

const MAX_SEED = 0xffffffff;
const MAX_EXAMPLES = 1e9;
const MAX_TEST = 10_000;
const MAX_WORKERS = 64;

export function parseTrainArgs(argv: readonly string[]): TrainOptions {
  const v = parseStrict(argv, TRAIN_OPTIONS);
  const given = (['examples', 'epochs', 'seconds'] as const).filter((k) => v[k] !== undefined);
  if (given.length > 1) {
    throw new UsageError(`give one of --examples, --epochs or --seconds, not ${given.map((k) => `--${k}`).join(' and ')}`);
  }
  const until = v.until === undefined ? null : accuracyTarget('until', v.until);
  for (const flag of ['eval-from', 'eval-every'] as const) {
    if (v[flag] !== undefined && until === null) throw new UsageError(`--${flag} schedules the evaluations of --until; give --until too`);
  }
  // --until alone trains until the target, within a generous cap.
  let budget: TrainBudget = { kind: 'epochs', epochs: until === null ? 1 : UNTIL_MAX_EPOCHS };
  if (v.examples !== undefined) budget = { kind: 'examples', examples: wholeNumber('examples', v.examples, 1, MAX_EXAMPLES) };
  if (v.epochs !== undefined) budget = { kind: 'epochs', epochs: positiveNumber('epochs', v.epochs) };
  if (v.seconds !== undefined) budget = { kind: 'seconds', seconds: positiveNumber('seconds', v.seconds) };
  return {
    ...dataOptions(v),
    budget,
    seed: v.seed === undefined ? 1 : wholeNumber('seed', v.seed, 0, MAX_SEED),
    netFile: fileName('net', v.net),
    initFile: fileName('init', v.init),
    outFile: fileName('out', v.out),
    evalMode: evalMode(v.eval),
    testLimit: v['test-limit'] === undefined ? null : wholeNumber('test-limit', v['test-limit'], 1, MAX_TEST),
    evalAt: exampleCounts('eval-at', v['eval-at']),
    quiet: v.quiet ?? false,
    help: v.help ?? false,
    workers: workerCount(v.workers),
    until,
    untilSchedule: {
      first: v['eval-from'] === undefined ? UNTIL_FIRST : wholeNumber('eval-from', v['eval-from'], 1, MAX_EXAMPLES),
      every: v['eval-every'] === undefined ? UNTIL_EVERY : wholeNumber('eval-every', v['eval-every'], 1, MAX_EXAMPLES),
    },
  };
}

function workerCount(text: string | undefined): number {
  return text === undefined ? 1 : wholeNumber('workers', text, 1, MAX_WORKERS);
}

export function parseEvalArgs(argv: readonly string[]): EvalOptions {
  const v = parseStrict(argv, EVAL_OPTIONS);
  const help = v.help ?? false;
  const modelFile = fileName('model', v.model);
  if (modelFile === null && !help) throw new UsageError('--model SNAPSHOT.json is required');
  return {
    ...dataOptions(v),
    modelFile: modelFile ?? '',
    evalMode: evalMode(v.eval),
    seed: v.seed === undefined ? 1 : wholeNumber('seed', v.seed, 0, MAX_SEED),
    testLimit: v['test-limit'] === undefined ? null : wholeNumber('test-limit', v['test-limit'], 1, MAX_TEST),
    quiet: v.quiet ?? false,
    help,
    workers: workerCount(v.workers),
  };
}
