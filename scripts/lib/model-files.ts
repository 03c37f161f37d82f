/**
 * Reading the files the CLI is pointed at (--net, --init, --model, --out) into engine
 * objects, turning every problem with them into a one-line UsageError that names the flag
 * and the file. Errors that are not the user's (bugs) pass through unchanged.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputShapeError } from '../../src/data/augment';
import { checkInputFits } from '../../src/data/dataset-inputs';
import { MNIST_SESSION_DATASET, type SessionDataset } from '../../src/training/session/model';
import { Net } from '../../src/engine/net';
import { parseNetwork } from '../../src/engine/parse';
import type { Rng } from '../../src/engine/rng';
import { netFromJSON, SnapshotError } from '../../src/engine/snapshot';
import { SpecError, type ResolvedLayer, type TrainerSpec } from '../../src/engine/spec';
import { UsageError } from './cli-args';

export function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new UsageError(`--${flag} ${path}: cannot read it (${reason})`, false);
  }
}

/** A network and trainer definition, in either accepted form (ConvNetJS snippet or JSON). */
export function readDefinition(flag: string, path: string): { layers: ResolvedLayer[]; trainer: TrainerSpec } {
  const text = readText(flag, path);
  try {
    return parseNetwork(text);
  } catch (error) {
    if (error instanceof SpecError) {
      const issue = error.issues[0];
      const where = issue?.line !== undefined ? `line ${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}: ` : '';
      const message = where && !error.message.includes(`line ${issue.line}`) ? `${where}${error.message}` : error.message;
      throw new UsageError(`--${flag} ${path}: ${oneLine(message)}`, false);
    }
    throw error;
  }
}

/** A Net from a ConvNetJS JSON snapshot; `rng` becomes its generator (dropout). */
export function readSnapshotFile(flag: string, path: string, rng: Rng): Net {
  const text = readText(flag, path);
  try {
    return netFromJSON(text, rng);
  } catch (error) {
    if (error instanceof SnapshotError || error instanceof SpecError) {
      throw new UsageError(`--${flag} ${path}: ${oneLine(error.message)}`, false);
    }
    throw error;
  }
}

/** Builds a Net from resolved layers; resource limits and the like surface as user errors. */
export function buildNet(flag: string, path: string, layers: readonly ResolvedLayer[], rng: Rng): Net {
  try {
    return new Net(layers, rng);
  } catch (error) {
    if (error instanceof SpecError) throw new UsageError(`--${flag} ${path}: ${oneLine(error.message)}`, false);
    throw error;
  }
}

/**
 * Checks that the dataset (default MNIST) can feed the network (for MNIST an input of at
 * most 28x28x1; the message names both shapes) and that it classifies at least the
 * dataset's classes (softmax or svm with num_classes >= the class count).
 */
export function checkFitsDataset(source: string, net: Net, dataset: SessionDataset = MNIST_SESSION_DATASET): void {
  try {
    checkInputFits(net.inputShape, dataset);
  } catch (error) {
    if (error instanceof InputShapeError) throw new UsageError(`${source}: ${error.message}`, false);
    throw error;
  }
  const classes = dataset.classNames.length;
  const mnist = dataset === MNIST_SESSION_DATASET;
  const last = net.specs[net.specs.length - 1];
  if (last.type !== 'softmax' && last.type !== 'svm') {
    const task = mnist ? 'digits' : `the ${dataset.name} classes`;
    throw new UsageError(
      `${source}: the last layer is '${last.type}'; classifying ${task} needs a softmax or svm layer with num_classes ${classes}`,
      false,
    );
  }
  if (last.numClasses < classes) {
    const what = mnist ? 'digits' : `classes of ${dataset.name}`;
    throw new UsageError(`${source}: the ${last.type} layer has num_classes ${last.numClasses}, too few for the ${classes} ${what}`, false);
  }
}

/** Whether two layer lists describe the same architecture (types and shapes). */
export function sameArchitecture(a: readonly ResolvedLayer[], b: readonly ResolvedLayer[]): string | null {
  if (a.length !== b.length) return `${a.length} layers against the snapshot's ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    const shape = (l: ResolvedLayer) => `${l.out.sx}x${l.out.sy}x${l.out.depth}`;
    if (x.type !== y.type || shape(x) !== shape(y)) {
      return `layer ${i} is ${x.type} ${shape(x)} but ${y.type} ${shape(y)} in the snapshot`;
    }
  }
  return null;
}

/** Fails early, before a long run, when --out cannot be written. */
export function checkWritable(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--${flag} ${path}: the directory ${dir} does not exist`, false);
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UsageError(`--${flag} ${path}: is a directory, not a file`, false);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
