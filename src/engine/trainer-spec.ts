/**
 * The trainer options (ConvNetJS names): one typed schema lists every option with its
 * range, default and the methods that read it. Validation, the defaults, the controls
 * form and the checkpoint's list of trainer numbers are all derived from it.
 */
import {
  choiceProblem,
  describeValue,
  IssueList,
  isPlainObject,
  numberProblem,
  type ChoiceFieldSchema,
  type NumberFieldSchema,
} from './fields';
import { shortName, suggestion } from './suggest';

export const TRAINER_METHODS = ['sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta', 'nesterov'] as const;
export type TrainerMethod = (typeof TRAINER_METHODS)[number];

interface TrainerFieldExtras {
  label: string;
  /** A few characters for legends and chart names ("lr 0.01, L2 0.001"); the name when absent. */
  short?: string;
  /** Methods whose update rule reads this field; the others ignore it. */
  usedBy: readonly TrainerMethod[];
}

/** A numeric trainer option: its range, ConvNetJS's default and who reads it. */
export type TrainerNumberSchema<Name extends string = string> = NumberFieldSchema<Name> &
  TrainerFieldExtras & { default: number };

const ALL_METHODS = TRAINER_METHODS;

/**
 * Every numeric trainer option, in the order forms and definition text list them. Adding
 * an option is one entry here plus its use in the update rule (trainer.ts and
 * assembly/update.ts); its type, default, validation and checkpoint field follow.
 */
const TRAINER_NUMBER_SCHEMAS = [

  {
    name: 'learning_rate',
    label: 'Learning rate',
    short: 'lr',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'step size; adadelta does not use it',
    usedBy: ['sgd', 'adam', 'adagrad', 'windowgrad', 'nesterov'],
    default: 0.01,
  },
  {
    name: 'momentum',
    label: 'Momentum',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1,
    maxInclusive: false,
    help: 'fraction of the previous step kept (sgd, nesterov); 0 turns it off',
    usedBy: ['sgd', 'nesterov'],
    default: 0.9,
  },
  {
    name: 'batch_size',
    label: 'Batch size',
    short: 'batch',
    kind: 'int',
    min: 1,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'examples whose gradients are summed before each update',
    usedBy: ALL_METHODS,
    default: 1,
  },
  {
    name: 'l1_decay',
    label: 'L1 decay',
    short: 'L1',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'L1 weight penalty, scaled per layer by l1_decay_mul',
    usedBy: ALL_METHODS,
    default: 0,
  },
  {
    name: 'l2_decay',
    label: 'L2 decay',
    short: 'L2',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1e6,
    maxInclusive: true,
    help: 'L2 weight penalty, scaled per layer by l2_decay_mul',
    usedBy: ALL_METHODS,
    default: 0,
  },
  {
    name: 'ro',
    label: 'Ro',
    kind: 'float',
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: false,
    help: 'decay rate of the running averages (adadelta, windowgrad)',
    usedBy: ['adadelta', 'windowgrad'],
    default: 0.95,
  },
  {
    name: 'eps',
    label: 'Epsilon',
    kind: 'float',
    min: 0,
    minInclusive: false,
    max: 1,
    maxInclusive: true,
    help: 'small constant that keeps adaptive steps finite',
    usedBy: ['adam', 'adagrad', 'windowgrad', 'adadelta'],
    /** ConvNetJS's default (eps: for all but adam, see defaultEps). */
    default: 1e-6,
  },
  {
    name: 'beta1',
    label: 'Beta 1',
    short: 'β1',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1,
    maxInclusive: false,
    help: 'decay rate of the first moment (adam)',
    usedBy: ['adam'],
    default: 0.9,
  },
  {
    name: 'beta2',
    label: 'Beta 2',
    short: 'β2',
    kind: 'float',
    min: 0,
    minInclusive: true,
    max: 1,
    maxInclusive: false,
    help: 'decay rate of the second moment (adam)',
    usedBy: ['adam'],
    default: 0.999,
  },
] as const satisfies readonly TrainerNumberSchema[];

export type TrainerNumberField = (typeof TRAINER_NUMBER_SCHEMAS)[number]['name'];

/** The numeric trainer options by name, in schema order (the checkpoint stores these). */
export const TRAINER_NUMBER_FIELDS: readonly TrainerNumberField[] = TRAINER_NUMBER_SCHEMAS.map((f) => f.name);

/** Trainer options with ConvNetJS's names; a validated spec has every field set. */
export type TrainerSpec = { method: TrainerMethod } & { [Name in TrainerNumberField]: number };

export type TrainerFieldSchema = (ChoiceFieldSchema<'method', TrainerMethod> | NumberFieldSchema<TrainerNumberField>) &
  TrainerFieldExtras;

/**
 * Every trainer option with its range. resolveTrainer validates against this list and
 * the controls form is drawn from it.
 */
export const TRAINER_FIELDS: readonly TrainerFieldSchema[] = [
  {
    name: 'method',
    label: 'Method',
    kind: 'choice',
    options: TRAINER_METHODS,
    help: 'update rule: sgd (with momentum), adam, adagrad, windowgrad, adadelta or nesterov',
    usedBy: ALL_METHODS,
  },  ...(TRAINER_NUMBER_SCHEMAS as readonly TrainerNumberSchema<TrainerNumberField>[]),
];

/** ConvNetJS's eps default differs for adam (1e-8) from the other adaptive methods (1e-6). */
export function defaultEps(method: TrainerMethod): number {
  return method === 'adam' ? 1e-8 : 1e-6;
}

/** ConvNetJS's Trainer defaults, from the schema. */
export const DEFAULT_TRAINER: Readonly<TrainerSpec> = Object.freeze({
  method: 'sgd',
  ...(Object.fromEntries(TRAINER_NUMBER_SCHEMAS.map((f) => [f.name, f.default])) as Record<TrainerNumberField, number>),
});

/**
 * Checks trainer options (ConvNetJS names) and fills the missing ones from `base`
 * (ConvNetJS's defaults when absent), so a form can send only what changed. Unknown
 * methods and fields are errors, not silent fallbacks. Throws SpecError.
 */
export function resolveTrainer(def: unknown, base: Readonly<TrainerSpec> = DEFAULT_TRAINER): TrainerSpec {
  const issues = new IssueList();
  const options = def ?? {};
  if (!isPlainObject(options)) {
    issues.general(
      `trainer: the options must be an object like {method:'adadelta', batch_size:20}; got ${describeValue(options)}`,
    );
    issues.throwIfAny();
    return { ...base };
  }
  const names = TRAINER_FIELDS.map((f) => f.name);
  const result: TrainerSpec = { ...base };
  const set = result as unknown as Record<string, unknown>;
  for (const key of Object.keys(options)) {
    const value = options[key];
    if (value === undefined) continue;
    const field = TRAINER_FIELDS.find((f) => f.name === key);
    if (field === undefined) {
      issues.general(`trainer: unknown option '${shortName(key)}'; ${suggestion(key, names)}`, key);
      continue;
    }
    const problem =
      field.kind === 'choice' ? choiceProblem(field, value, 'a trainer method') : numberProblem(field, value);
    if (problem !== null) {
      issues.general(`trainer: ${problem}`, key);
      continue;
    }
    set[key] = value;
  }
  issues.throwIfAny();
  // A method switch brings that method's eps default along, unless eps was set by hand
  // (given now, or changed from the base method's default earlier).
  if (options.eps === undefined && base.eps === defaultEps(base.method)) {
    result.eps = defaultEps(result.method);
  }
  return result;
}
