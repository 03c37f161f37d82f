/**
 * Fuzzing the hyperparameter path: what a person types into a trainer box
 * (parseFieldText, as the controls form reads it), the partial changes the form sends
 * (resolveTrainer with a base spec, as the session applies them), and numberProblem, the
 * range rule both share. Rejections are SpecErrors naming the option, within the time
 * bound; the form accepts exactly what the engine accepts; the base spec never changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED_TRAINER } from '../../../src/engine/parse';
import {
  DEFAULT_TRAINER,
  LAYER_FIELDS,
  SpecError,
  TRAINER_FIELDS,
  TRAINER_METHODS,
  numberProblem,
  resolveTrainer,
  type NumberFieldSchema,
  type TrainerSpec,
} from '../../../src/engine/spec';
import { MAIN_FORM_FIELDS, MORE_FORM_FIELDS, parseFieldText } from '../../../src/ui/controls/trainer-form-fields';
import {
  CASE_TIME_LIMIT_MS,
  MAX_MESSAGE_CHARS,
  expectSafeOutcome,
  fuzzParams,
  nastyValue,
  outcomeOf,
  runsFor,
  timeoutFor,
} from './fuzz-support';

const FORM_FIELDS = [...MAIN_FORM_FIELDS, ...MORE_FORM_FIELDS];
const NUMBER_FIELDS = TRAINER_FIELDS.filter((f): f is Extract<typeof f, NumberFieldSchema> => f.kind !== 'choice');
const ALL_NUMBER_SCHEMAS: NumberFieldSchema[] = [
  ...NUMBER_FIELDS,
  ...Object.values(LAYER_FIELDS)
    .flat()
    .filter((f): f is Extract<typeof f, NumberFieldSchema> => f.kind !== 'choice'),
];

/** Bases a session could hold: defaults, the seed trainer, one per method with a hand-set eps. */
const BASES: readonly Readonly<TrainerSpec>[] = [
  DEFAULT_TRAINER,
  SEED_TRAINER,
  ...TRAINER_METHODS.map((method) => Object.freeze(resolveTrainer({ method, eps: 1e-7, batch_size: 7 }))),
];

/** Whether `value` fits `field` by the rule as documented: a finite number, whole for int fields, within the bounds. */
function fitsRange(field: NumberFieldSchema, value: unknown): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (field.kind === 'int' && !Number.isInteger(value)) return false;
  const aboveMin = field.minInclusive ? value >= field.min : value > field.min;
  const belowMax = field.maxInclusive ? value <= field.max : value < field.max;
  return aboveMin && belowMax;
}

/** Text a person might type or paste into a number box. */
const typedText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.double().map(String),
  fc.integer({ min: -10, max: 2_000_000 }).map(String),
  fc.constantFrom('', ' ', '0', '-0', '1e-9', '1e6', '1e400', '.5', '5.', ' 0.9 ', '0x10', '0b11', '1_0', 'NaN', 'Infinity', '-Infinity', '1,5', '١٢', '\u00a00.1\u00a0', '+1', '--1'),
  fc.tuple(fc.constantFrom(' ', '\t', '\n', ''), fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(' ', '', 'e', 'x')).map(
    ([pad, n, tail]) => `${pad}${n}${tail}`,
  ),
);

const RUNS = runsFor(300);

describe('fuzz: hyperparameter form', () => {
  it(
    'the form accepts typed text exactly when the engine accepts its number',
    () => {
      fc.assert(
        fc.property(fc.nat({ max: FORM_FIELDS.length - 1 }), typedText, fc.nat({ max: BASES.length - 1 }), (i, text, b) => {
          const { schema } = FORM_FIELDS[i]!;
          const base = BASES[b]!;
          const parsed = outcomeOf(() => parseFieldText(schema, text));
          expect(parsed.ms).toBeLessThan(CASE_TIME_LIMIT_MS);
          if (!parsed.ok) throw parsed.error; // the form must never throw on what was typed
          const trimmed = text.trim();
          const engine = outcomeOf(() => resolveTrainer({ [schema.name]: Number(trimmed) }, base));
          expectSafeOutcome(engine, SpecError);
          if (parsed.value.ok) {
            expect(engine.ok, `the form accepted '${text}' but the engine refuses it`).toBe(true);
            if (engine.ok) expect(engine.value[schema.name]).toBe(parsed.value.value);
          } else {
            expect(parsed.value.error.length).toBeGreaterThan(0);
            // Refused: blank, not a number, or out of the engine's range.
            expect(trimmed === '' || Number.isNaN(Number(trimmed)) || !engine.ok).toBe(true);
          }
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  /** Partial changes as the session receives them: known and unknown option names, any values. */
  const changeKey = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...TRAINER_FIELDS.map((f) => f.name)) },
    { weight: 1, arbitrary: fc.constantFrom('learningRate', 'lr', 'batchsize', 'l2', '__proto__', 'constructor', 'toString') },
    { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  );
  const changeValue = fc.oneof(
    { weight: 3, arbitrary: nastyValue },
    { weight: 2, arbitrary: fc.double({ min: 0, max: 1.5, noNaN: true }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2_000_000 }) },
    { weight: 1, arbitrary: fc.constantFrom(...TRAINER_METHODS, 'adadelata', 'SGD', 'adam ', '') },
  );
  const changes = fc.array(fc.tuple(changeKey, changeValue), { maxLength: 5 }).map((entries) => {
    const object: Record<string, unknown> = {};
    // defineProperty, so a '__proto__' key is an own field as JSON.parse would make it.
    for (const [k, v] of entries) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
    return object;
  });

  it(
    'partial trainer changes resolve to a valid spec or are rejected naming each bad option',
    () => {
      fc.assert(
        fc.property(changes, fc.nat({ max: BASES.length - 1 }), (change, b) => {
          const base = BASES[b]!;
          const baseCopy = { ...base };
          const outcome = outcomeOf(() => resolveTrainer(change, base));
          const error = expectSafeOutcome(outcome, SpecError);
          expect({ ...base }).toEqual(baseCopy);
          if (error !== null) {
            for (const issue of error.issues) {
              expect(issue.field, issue.message).toBeDefined();
              expect(Object.keys(change)).toContain(issue.field);
              expect(issue.message).toMatch(/^trainer: /);
              expect(issue.message.length).toBeLessThan(MAX_MESSAGE_CHARS);
            }
            return;
          }
          if (!outcome.ok) return;
          const spec = outcome.value;
          expect(TRAINER_METHODS).toContain(spec.method);
          for (const field of NUMBER_FIELDS) {
            expect(fitsRange(field, spec[field.name]), `${field.name} = ${spec[field.name]}`).toBe(true);
            const given = change[field.name];
            if (given !== undefined) expect(spec[field.name]).toBe(given);
            else if (field.name !== 'eps') expect(spec[field.name]).toBe(base[field.name]);
          }
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'numberProblem accepts exactly the values in range, and names the field otherwise',
    () => {
      const anyValue = fc.oneof(nastyValue, fc.anything(), fc.double(), fc.integer());
      fc.assert(
        fc.property(fc.nat({ max: ALL_NUMBER_SCHEMAS.length - 1 }), anyValue, (i, value) => {
          const field = ALL_NUMBER_SCHEMAS[i]!;
          const outcome = outcomeOf(() => numberProblem(field, value));
          expect(outcome.ms).toBeLessThan(CASE_TIME_LIMIT_MS);
          if (!outcome.ok) throw outcome.error;
          const problem = outcome.value;
          expect(problem === null).toBe(fitsRange(field, value));
          if (problem !== null) {
            expect(problem.startsWith(field.name)).toBe(true);
            expect(problem.length).toBeLessThan(MAX_MESSAGE_CHARS);
          }
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});
