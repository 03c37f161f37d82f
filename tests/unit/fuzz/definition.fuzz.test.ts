/**
 * Fuzzing the network box: parseNetwork / parseDefinition on mutated seed definitions
 * (snippet and JSON), on random text and on pastes at the size limit, and resolveLayers /
 * resolveTrainer on mutated definition objects. Every answer is a SpecError that points
 * at a line, a layer or a field, within the per-case time bound, and an accepted network
 * stays within the stated memory caps (LIMITS), so building it cannot exhaust memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEED_DEFINITION_TEXT, SEED_LAYER_DEFS, parseDefinition, parseNetwork } from '../../../src/engine/parse';
import { LIMITS, SpecError, resolveLayers, resolveTrainer, type SpecIssue } from '../../../src/engine/spec';
import { expectWithinCaps } from './caps';
import {
  allPaths,
  applyMutation,
  applyTextEdit,
  expectSafeOutcome,
  fuzzParams,
  mutation,
  nastyNumber,
  outcomeOf,
  runsFor,
  textEdit,
  timeoutFor,
} from './fuzz-support';

const SEED_TRAINER_OPTIONS = { method: 'adadelta', batch_size: 20, l2_decay: 0.001 };
const SEED_JSON_TEXT = JSON.stringify({ layers: SEED_LAYER_DEFS, trainer: SEED_TRAINER_OPTIONS }, null, 2);

/** Whole-definition rules: they are about the definition as a whole, so no line or field applies. */
const WHOLE_DEFINITION_RULES =
  /larger than the limit of [\d,]+ bytes|layer definitions must be an array|layer definitions, more than the limit|needs at least an input layer and a loss layer|expands to \d+ layers/;

/** A text rejection must point at a line (and column), unless it is about the whole text. */
function expectLocatedInText(issue: SpecIssue): void {
  if (issue.line !== undefined) {
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.column).toBeGreaterThanOrEqual(1);
    expect(issue.message).toMatch(/^line \d+/);
    return;
  }
  expect(issue.message).toMatch(WHOLE_DEFINITION_RULES);
}

/** An object rejection must name the layer or the field, unless it is about the whole list. */
function expectLocatedInObject(issue: SpecIssue): void {
  if (issue.layerIndex !== undefined) {
    expect(issue.message).toMatch(new RegExp(`^layer ${issue.layerIndex}\\b`));
    return;
  }
  if (issue.field !== undefined) {
    expect(issue.message).toContain(issue.field.slice(0, 20));
    return;
  }
  expect(issue.message).toMatch(WHOLE_DEFINITION_RULES);
}

/** parseNetwork on `text`: a located SpecError or a network within the caps, in time. */
function checkDefinitionText(text: string): void {
  const outcome = outcomeOf(() => parseNetwork(text));
  const error = expectSafeOutcome(outcome, SpecError);
  if (error !== null) {
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message).toBe(error.issues[0]!.message);
    error.issues.forEach(expectLocatedInText);
  } else if (outcome.ok) {
    expectWithinCaps(outcome.value.layers);
  }
}

const RUNS = runsFor(300);

describe('fuzz: network definition text', () => {
  it(
    'mutated seed snippets are parsed or rejected at a line, within the caps',
    () => {
      fc.assert(
        fc.property(fc.array(textEdit, { minLength: 1, maxLength: 6 }), (edits) => {
          checkDefinitionText(edits.reduce(applyTextEdit, SEED_DEFINITION_TEXT));
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'mutated JSON definitions are parsed or rejected at a line, within the caps',
    () => {
      fc.assert(
        fc.property(fc.array(textEdit, { minLength: 1, maxLength: 6 }), (edits) => {
          checkDefinitionText(edits.reduce(applyTextEdit, SEED_JSON_TEXT));
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'seed snippets with retyped sizes are parsed within the caps or rejected at a line',
    () => {
      const retype = fc.record({
        kind: fc.constant('number' as const),
        which: fc.nat(),
        value: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 5000 })).map(String),
      });
      fc.assert(
        fc.property(fc.array(retype, { minLength: 1, maxLength: 4 }), (edits) => {
          checkDefinitionText(edits.reduce(applyTextEdit, SEED_DEFINITION_TEXT));
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  /** Random text: arbitrary characters, and token soup close enough to the grammar to go deep. */
  const token = fc.constantFrom(
    'layer_defs',
    'net',
    'trainer',
    ' = ',
    '[]',
    '[',
    ']',
    '{',
    '}',
    '(',
    ')',
    ';',
    '\n',
    ',',
    ':',
    '.push(',
    '.makeLayers(',
    'new ',
    'convnetjs.Net()',
    'convnetjs.SGDTrainer(',
    "type:'conv'",
    "type:'input'",
    "type:'softmax'",
    'out_sx:24',
    'sx:5',
    'filters:8',
    'num_classes:10',
    "'",
    '"',
    '/*',
    '*/',
    '//',
    'var ',
    '1e309',
    '-0',
  );
  const randomText = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ maxLength: 300, unit: 'binary' }),
    fc.array(token, { maxLength: 120 }).map((t) => t.join('')),
  );

  it(
    'random text is rejected (or parsed) with a located message',
    () => {
      fc.assert(fc.property(randomText, checkDefinitionText), fuzzParams(RUNS));
    },
    timeoutFor(RUNS),
  );

  /**
   * Pastes near and over the size limit, made of a repeated fragment: the shapes that make
   * a parser slow (deep nesting, thousands of literals, one huge key or number).
   */
  const fragment = fc.oneof(
    fc.constantFrom(
      '[',
      '{',
      '{},',
      '1,',
      '"a",',
      '{"type":"relu"},',
      'l.push({},{},{},{});',
      '/',
      'a',
      '\u00e9',
      '\ud83d\ude00',
      ',',
      '{"k":',
      'x',
      "{type:'relu', x:1},",
    ),
    fc.string({ minLength: 1, maxLength: 12 }),
  );
  /** Openings with their closings, so the repeated middle is read as a whole. */
  const frame = fc.constantFrom(
    ['', ''],
    ['[', ']'],
    ['[', ''],
    ['{"layers":[', ']}'],
    ['l=[];l.push(', ');'],
    ['l=[];', ''],
    ['{"layers":[{"type":"input","', '":1}]}'],
    ['["', '"]'],
    ['[{"', '":1}]'],
    ['[{a:', '}]'],
  );
  const BIG_RUNS = runsFor(16, 0.05);

  it(
    'pastes near and over the size limit answer within the time bound',
    () => {
      fc.assert(
        fc.property(frame, fragment, fc.double({ min: 0.5, max: 1.2, noNaN: true }), ([open, close], piece, fill) => {
          const target = Math.floor(LIMITS.maxDefinitionBytes * fill);
          checkDefinitionText(open + piece.repeat(Math.max(1, Math.floor(target / piece.length))) + close);
        }),
        fuzzParams(BIG_RUNS),
      );
    },
    timeoutFor(BIG_RUNS),
  );

  it('the slowest shapes found, filled to the size limit, answer within the time bound', () => {
    // Regression cases: at the former 1 MB limit, before the layer-count stop and the JSON
    // fast path, each of these took 0.6 to 2 seconds to parse.
    const shapes: Array<[string, string, string]> = [
      ['[', '{},', '{}]'],
      ['[', '1,', '1]'],
      ['[', '"a",', '"a"]'],
      ['{"layers":[', '{"type":"relu"},', '{"type":"relu"}]}'],
      ['l=[];', 'l.push({},{},{},{});', ''],
      ['[', "{type:'relu', x:1},", ']'],
      ['[{', 'a:1,', 'a:1}]'],
      ['[', "'a',", "'a']"],
      ['[{type:"input",', 'a:1,', 'a:1}, {type:"softmax", num_classes: 2}]'],
      ['l=[];l.push({', 'a:1,', 'a:1});'],
      ['{"layers":[{"type":"input","', 'k', '":1}]}'],
    ];
    for (const [open, piece, close] of shapes) {
      const room = LIMITS.maxDefinitionBytes - open.length - close.length;
      checkDefinitionText(open + piece.repeat(Math.floor(room / piece.length)) + close);
    }
  });

  it('refuses text over the size limit before reading it', () => {
    for (const text of ['['.repeat(LIMITS.maxDefinitionBytes + 1), '\u00e9'.repeat(LIMITS.maxDefinitionBytes / 2 + 1)]) {
      const outcome = outcomeOf(() => parseDefinition(text));
      const error = expectSafeOutcome(outcome, SpecError);
      expect(error?.message).toMatch(/larger than the limit/);
    }
  });
});

describe('fuzz: definition objects', () => {
  /** Layer definitions are plain data; a structured clone is a fresh copy to break. */
  const seedLayers = (): unknown => structuredClone(SEED_LAYER_DEFS) as unknown;

  it(
    'mutated layer definitions resolve within the caps or are rejected naming the layer or field',
    () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (mutations) => {
          let defs = seedLayers();
          for (const m of mutations) defs = applyMutation(defs, m, (root) => allPaths(root));
          const outcome = outcomeOf(() => resolveLayers(defs));
          const error = expectSafeOutcome(outcome, SpecError);
          if (error !== null) error.issues.forEach(expectLocatedInObject);
          else if (outcome.ok) expectWithinCaps(outcome.value);
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  /** Structurally sensible stacks with sizes drawn from tiny to absurd: the caps must hold. */
  const size = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 100_000 }), nastyNumber);
  const hidden = fc.oneof(
    fc.record({ type: fc.constant('conv'), sx: size, filters: size, stride: size, pad: fc.oneof(fc.nat(4), size) }),
    fc.record({ type: fc.constant('pool'), sx: size, stride: size }),
    fc.record({ type: fc.constant('fc'), num_neurons: size }),
    fc.record({ type: fc.constantFrom('relu', 'sigmoid', 'tanh', 'dropout') }),
    fc.record({ type: fc.constant('maxout'), group_size: size }),
    fc.record({ type: fc.constant('lrn'), k: fc.constant(1), n: size, alpha: fc.constant(1e-4), beta: fc.constant(0.75) }),
  );
  const stack = fc.tuple(
    fc.record({ type: fc.constant('input'), out_sx: size, out_sy: size, out_depth: size }),
    fc.array(hidden, { maxLength: 30 }),
    fc.record({ type: fc.constantFrom('softmax', 'svm'), num_classes: size }),
  );
  /** Many elementwise layers on one large input: each layer is within the per-layer cap. */
  const wideAndDeep = fc
    .tuple(fc.integer({ min: 1000, max: 7000 }), fc.integer({ min: 2, max: 190 }))
    .map(([side, depth]) => [
      { type: 'input', out_sx: side, out_sy: side, out_depth: 1 },
      ...Array.from({ length: depth }, () => ({ type: 'relu' })),
      { type: 'pool', sx: side, stride: side },
      { type: 'softmax', num_classes: 10 },
    ]);

  it(
    'generated layer stacks with extreme sizes never pass over a memory cap',
    () => {
      fc.assert(
        fc.property(fc.oneof(stack.map(([input, layers, loss]) => [input, ...layers, loss]), wideAndDeep), (defs) => {
          const outcome = outcomeOf(() => resolveLayers(defs));
          const error = expectSafeOutcome(outcome, SpecError);
          if (error !== null) error.issues.forEach(expectLocatedInObject);
          else if (outcome.ok) expectWithinCaps(outcome.value);
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );

  it(
    'mutated trainer options resolve to valid values or are rejected naming the option',
    () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
          let options: unknown = { ...SEED_TRAINER_OPTIONS };
          for (const m of mutations) options = applyMutation(options, m, (root) => allPaths(root));
          const outcome = outcomeOf(() => resolveTrainer(options));
          const error = expectSafeOutcome(outcome, SpecError);
          if (error !== null) {
            for (const issue of error.issues) {
              expect(issue.message).toMatch(/^trainer: /);
              if (issue.field !== undefined) expect(issue.message).toContain(issue.field.slice(0, 20));
              else expect(issue.message).toMatch(/the options must be an object/);
            }
          }
        }),
        fuzzParams(RUNS),
      );
    },
    timeoutFor(RUNS),
  );
});
