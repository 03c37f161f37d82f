/**
 * The trainer configurations a comparison starts from, how each is named in the legend,
 * and how an edit is checked. Fields and rules come from the engine (TRAINER_FIELDS,
 * resolveTrainer), so the comparison accepts exactly what the main trainer accepts.
 */
import { SEED_TRAINER } from '../../engine';
import {
  SpecError,
  TRAINER_FIELDS,
  TRAINER_METHODS,
  resolveTrainer,
  type TrainerFieldSchema,
  type TrainerMethod,
  type TrainerSpec,
} from '../../engine';

export type TrainerNumberSchema = Extract<TrainerFieldSchema, { kind: 'int' | 'float' }>;

/** ConvNetJS's trainer comparison: adadelta against sgd with momentum, same batch and decay. */
export const DEFAULT_COMPARISON_TRAINERS: readonly TrainerSpec[] = [
  resolveTrainer({ method: 'adadelta' }, SEED_TRAINER),
  resolveTrainer({ method: 'sgd', learning_rate: 0.01, momentum: 0.9 }, SEED_TRAINER),
];

/**
 * Seeds the comparison's initial weights, example stream and crops when the run's seed
 * is not known yet (each Start is reproducible either way); normally the run's seed.
 */
export const COMPARISON_SEED = 1;

const NUMBER_FIELDS = TRAINER_FIELDS.filter((f): f is TrainerNumberSchema => f.kind !== 'choice');

/** The number fields the method's update rule reads (the others would do nothing). */
export function fieldsFor(method: TrainerMethod): readonly TrainerNumberSchema[] {
  return NUMBER_FIELDS.filter((f) => f.usedBy.includes(method));
}

/** A configuration to add: a method not compared yet, with the seed's batch size and decay. */
export function nextTrainer(existing: readonly TrainerSpec[]): TrainerSpec {
  const preferred: TrainerMethod[] = ['adam', 'nesterov', 'adagrad', 'windowgrad', 'adadelta', 'sgd'];
  const method = preferred.find((m) => !existing.some((t) => t.method === m)) ?? TRAINER_METHODS[0];
  const rates: Partial<Record<TrainerMethod, number>> = { adam: 0.001 };
  return resolveTrainer({ method, learning_rate: rates[method] ?? 0.01 }, SEED_TRAINER);
}

export type TrainerEdit = { ok: true; trainer: TrainerSpec } | { ok: false; error: string };

/**
 * Applies one typed value to a configuration through resolveTrainer. Text that reads as a
 * number is sent as one; anything else goes as typed, so the engine's message names it.
 */
export function editTrainer(trainer: TrainerSpec, field: keyof TrainerSpec, text: string): TrainerEdit {
  const trimmed = text.trim();
  const number = Number(trimmed);
  const value = field === 'method' || trimmed === '' || Number.isNaN(number) ? trimmed : number;
  try {
    return { ok: true, trainer: resolveTrainer({ [field]: value }, trainer) };
  } catch (error) {
    if (error instanceof SpecError) return { ok: false, error: error.message };
    throw error;
  }
}

/**
 * A legend name: the position, the method and the settings it reads that set it apart
 * ("2: sgd, lr 0.01, momentum 0.9, batch 20, L2 0.001"). Zero decays and untouched
 * adaptive constants are left out to keep the names short.
 */
export function describeTrainer(trainer: TrainerSpec, index: number): string {
  const parts: string[] = [trainer.method];
  for (const field of fieldsFor(trainer.method)) {
    const name = field.name;
    const value = trainer[name];
    if ((name === 'l1_decay' || name === 'l2_decay') && value === 0) continue;
    if ((name === 'ro' || name === 'beta1' || name === 'beta2' || name === 'eps') && value === defaultOf(trainer.method, name)) {
      continue;
    }
    parts.push(`${field.short ?? name} ${value}`);
  }
  return `${index + 1}: ${parts.join(', ')}`;
}

function defaultOf(method: TrainerMethod, field: keyof TrainerSpec): unknown {
  return resolveTrainer({ method })[field];
}

/**
 * Colours (Okabe-Ito, told apart with the common colour-vision deficiencies) and dash
 * patterns, so each run reads apart by colour and by line style alike.
 */
export const RUN_STYLES: ReadonlyArray<{ color: string; dash: string | undefined; dashName: string }> = [
  { color: '#0072B2', dash: undefined, dashName: 'solid' },
  { color: '#D55E00', dash: '8 4', dashName: 'dashed' },
  { color: '#009E73', dash: '2 3', dashName: 'dotted' },
  { color: '#CC79A7', dash: '10 3 2 3', dashName: 'dash-dot' },
  { color: '#E69F00', dash: '14 5', dashName: 'long dashes' },
  { color: '#56B4E9', dash: '4 2 1 2 1 2', dashName: 'dash-dot-dot' },
];
