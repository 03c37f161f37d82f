/**
 * Which trainer options the form shows, and how a typed value is read. The fields
 * themselves (names, kinds, ranges, help) come from the engine's TRAINER_FIELDS, the same
 * list resolveTrainer validates against; this file only picks and orders them.
 */
import {
  TRAINER_FIELDS,
  describeRange,
  numberProblem,
  type NumberFieldSchema,
  type TrainerFieldSchema,
  type TrainerNumberField,
} from '../../engine';

export type TrainerNumberSchema = Extract<TrainerFieldSchema, { kind: 'int' | 'float' }>;
export type TrainerChoiceSchema = Extract<TrainerFieldSchema, { kind: 'choice' }>;

/** The four options of the original demo, always in view. ConvNetJS calls l2_decay "weight decay". */
const MAIN_FIELDS: ReadonlyArray<{ name: TrainerNumberField; label?: string }> = [
  { name: 'learning_rate' },
  { name: 'momentum' },
  { name: 'batch_size' },
  { name: 'l2_decay', label: 'Weight decay' },
];

export interface FormNumberField {
  schema: TrainerNumberSchema;
  label: string;
}

function isNumberField(field: TrainerFieldSchema): field is TrainerNumberSchema {
  return field.kind !== 'choice';
}

const numberFields = TRAINER_FIELDS.filter(isNumberField);

export const METHOD_FIELD: TrainerChoiceSchema = TRAINER_FIELDS.find(
  (f): f is TrainerChoiceSchema => f.kind === 'choice' && f.name === 'method',
)!;

export const MAIN_FORM_FIELDS: readonly FormNumberField[] = MAIN_FIELDS.map(({ name, label }) => {
  const schema = numberFields.find((f) => f.name === name)!;
  return { schema, label: label ?? schema.label };
});

/** Every other numeric option, behind a disclosure. */
export const MORE_FORM_FIELDS: readonly FormNumberField[] = numberFields
  .filter((f) => !MAIN_FIELDS.some((m) => m.name === f.name))
  .map((schema) => ({ schema, label: schema.label }));

export type ParsedField = { ok: true; value: number } | { ok: false; error: string };

/**
 * Reads what a person typed into a number box. The range rule is the engine's
 * (numberProblem), so the form never accepts what resolveTrainer would reject.
 */
export function parseFieldText(field: NumberFieldSchema, text: string): ParsedField {
  const trimmed = text.trim();
  const expected = `Enter ${describeRange(field)}.`;
  if (trimmed === '') return { ok: false, error: `Required. ${expected}` };
  const value = Number(trimmed);
  if (Number.isNaN(value)) return { ok: false, error: `"${trimmed}" is not a number. ${expected}` };
  if (numberProblem(field, value) !== null) return { ok: false, error: `${formatFieldValue(value)} is not allowed. ${expected}` };
  return { ok: true, value };
}

/** How a value in force is written back into its box. */
export function formatFieldValue(value: number): string {
  return String(value);
}
