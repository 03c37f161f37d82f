import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRAINER,
  SpecError,
  TRAINER_FIELDS,
  TRAINER_METHODS,
  resolveTrainer,
  type SpecIssue,
  type TrainerSpec,
} from '../../../src/engine/spec';

const convnetjs = createRequire(import.meta.url)('convnetjs') as {
  Net: new () => object;
  Trainer: new (net: object, options: object) => Record<string, unknown>;
};

function trainerIssues(def: unknown, base?: TrainerSpec): SpecIssue[] {
  try {
    resolveTrainer(def, base);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).issues;
  }
  throw new Error('expected resolveTrainer to reject the options');
}

describe('resolveTrainer', () => {
  it('fills the defaults of the convnetjs Trainer', () => {
    const ref = new convnetjs.Trainer(new convnetjs.Net(), {});
    const ours = resolveTrainer({});
    for (const key of ['method', 'learning_rate', 'momentum', 'batch_size', 'l1_decay', 'l2_decay', 'ro', 'eps'] as const) {
      expect(ours[key], key).toBe(ref[key]);
    }
    expect(ours).toEqual(DEFAULT_TRAINER);
    expect(resolveTrainer(undefined)).toEqual(DEFAULT_TRAINER);
  });

  it("reads the demo's options and keeps the rest at their defaults", () => {
    expect(resolveTrainer({ method: 'adadelta', batch_size: 20, l2_decay: 0.001 })).toEqual({
      ...DEFAULT_TRAINER,
      method: 'adadelta',
      batch_size: 20,
      l2_decay: 0.001,
    });
  });

  it("rejects the demo's 'adadelata' typo, which convnetjs silently trains as sgd", () => {
    const issues = trainerIssues({ method: 'adadelata', batch_size: 20, l2_decay: 0.001 });
    expect(issues).toEqual([
      { message: "trainer: method 'adadelata' is not a trainer method; did you mean 'adadelta'?", field: 'method' },
    ]);
  });

  it('lists the methods when the name is nowhere near one', () => {
    expect(trainerIssues({ method: 'lbfgs' })[0]!.message).toBe(
      "trainer: method 'lbfgs' is not a trainer method; use one of 'sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta' or 'nesterov'",
    );
  });

  it('rejects unknown options with a suggestion', () => {
    expect(trainerIssues({ learningrate: 0.1 })[0]).toEqual({
      message: "trainer: unknown option 'learningrate'; did you mean 'learning_rate'?",
      field: 'learningrate',
    });
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ['batch_size zero', { batch_size: 0 }, 'batch_size', /batch_size 0 is out of range; use a whole number, at least 1/],
    ['batch_size fractional', { batch_size: 2.5 }, 'batch_size', /batch_size 2.5 is not a whole number/],
    ['batch_size as a string', { batch_size: '20' }, 'batch_size', /write the number 20 without quotes/],
    ['learning_rate infinite', { learning_rate: Infinity }, 'learning_rate', /learning_rate is Infinity; use a finite number, at least 0/],
    ['learning_rate NaN', { learning_rate: Number.NaN }, 'learning_rate', /learning_rate is NaN/],
    ['learning_rate negative', { learning_rate: -0.1 }, 'learning_rate', /learning_rate -0.1 is out of range/],
    ['momentum of 1', { momentum: 1 }, 'momentum', /momentum 1 is out of range; use a finite number, at least 0 and less than 1/],
    ['negative l1_decay', { l1_decay: -1 }, 'l1_decay', /l1_decay -1 is out of range/],
    ['l2_decay null', { l2_decay: null }, 'l2_decay', /l2_decay is null; use a finite number/],
    ['ro of 0', { ro: 0 }, 'ro', /ro 0 is out of range; use a finite number, greater than 0 and less than 1/],
    ['eps of 0', { eps: 0 }, 'eps', /eps 0 is out of range; use a finite number, greater than 0/],
    ['beta1 of 1', { beta1: 1 }, 'beta1', /beta1 1 is out of range/],
    ['beta2 negative', { beta2: -0.5 }, 'beta2', /beta2 -0.5 is out of range/],
    ['method not a string', { method: 3 }, 'method', /method is 3; use 'sgd', 'adam'/],
  ];
  for (const [name, def, field, says] of bad) {
    it(`rejects ${name}`, () => {
      const issues = trainerIssues(def);
      expect(issues).toHaveLength(1);
      expect(issues[0]!.field).toBe(field);
      expect(issues[0]!.message).toMatch(/^trainer: /);
      expect(issues[0]!.message).toMatch(says);
    });
  }

  it('reports every bad option at once', () => {
    expect(trainerIssues({ method: 'sgdd', batch_size: -1, momentum: 2 }).map((i) => i.field)).toEqual([
      'method',
      'batch_size',
      'momentum',
    ]);
  });

  it('rejects options that are not an object', () => {
    expect(trainerIssues([1, 2])[0]!.message).toMatch(/^trainer: the options must be an object/);
  });

  it('keeps the base for options not given, so a form can send one change', () => {
    const base = resolveTrainer({ method: 'sgd', learning_rate: 0.05, momentum: 0.5, batch_size: 8 });
    expect(resolveTrainer({ learning_rate: 0.001 }, base)).toEqual({ ...base, learning_rate: 0.001 });
  });

  it("uses adam's eps default of 1e-8, also when switching to adam from a base with the default", () => {
    expect(resolveTrainer({ method: 'adam' }).eps).toBe(1e-8);
    expect(resolveTrainer({ method: 'adam' }, DEFAULT_TRAINER).eps).toBe(1e-8);
    const adam = resolveTrainer({ method: 'adam' });
    expect(resolveTrainer({ method: 'adagrad' }, adam).eps).toBe(1e-6);
  });

  it('keeps an eps set by hand across method switches', () => {
    const custom = resolveTrainer({ method: 'adadelta', eps: 1e-4 });
    expect(resolveTrainer({ method: 'adam' }, custom).eps).toBe(1e-4);
    expect(resolveTrainer({ method: 'adam', eps: 1e-3 }).eps).toBe(1e-3);
  });
});

describe('TRAINER_FIELDS', () => {
  it('describes exactly the fields of a TrainerSpec, each with a label and help', () => {
    expect(TRAINER_FIELDS.map((f) => f.name).sort()).toEqual(Object.keys(DEFAULT_TRAINER).sort());
    for (const f of TRAINER_FIELDS) {
      expect(f.label.length).toBeGreaterThan(0);
      expect(f.help.length).toBeGreaterThan(0);
      expect(f.usedBy.length).toBeGreaterThan(0);
    }
  });

  it('accepts every default and rejects values just outside each numeric range', () => {
    for (const f of TRAINER_FIELDS) {
      if (f.kind === 'choice') {
        expect(f.options).toEqual(TRAINER_METHODS);
        continue;
      }
      expect(() => resolveTrainer({ [f.name]: DEFAULT_TRAINER[f.name] }), f.name).not.toThrow();
      const below = f.minInclusive ? f.min - 1e-9 : f.min;
      expect(() => resolveTrainer({ [f.name]: below }), `${f.name} below`).toThrow(SpecError);
      if (Number.isFinite(f.max)) {
        const above = f.maxInclusive ? f.max + 1 : f.max;
        expect(() => resolveTrainer({ [f.name]: above }), `${f.name} above`).toThrow(SpecError);
      }
    }
  });
});
