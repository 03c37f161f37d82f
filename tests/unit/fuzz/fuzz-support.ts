/**
 * Shared settings and checks for the property-based fuzz suites.
 *
 * `npm test` runs a few hundred cases per property with a fixed seed, so a failure
 * reproduces on every machine. `npm run fuzz` sets FUZZ_RUNS (10,000 by default) and a
 * fresh seed each run unless FUZZ_SEED is given; fast-check prints the seed and the
 * counterexample path of any failure, which FUZZ_SEED (and fast-check's `path`) replay.
 */
import fc from 'fast-check';
import { expect } from 'vitest';

const envRuns = Number(process.env.FUZZ_RUNS);
/** True in the nightly-sized run. */
export const NIGHTLY = Number.isInteger(envRuns) && envRuns > 0;

const envSeed = process.env.FUZZ_SEED;
/** Fixed in `npm test`; random (and printed) in the nightly run unless FUZZ_SEED pins it. */
export const FUZZ_SEED =
  envSeed !== undefined && envSeed !== '' ? Number(envSeed) : NIGHTLY ? Math.floor(Math.random() * 2 ** 31) : 20_240_611;

if (NIGHTLY) console.log(`fuzz: FUZZ_RUNS=${envRuns} FUZZ_SEED=${FUZZ_SEED}`);

/**
 * The safety bound on one case: a user must never wait longer than this for an answer.
 * Generous on purpose (cases take milliseconds); it catches hangs and blow-ups, it is not
 * a benchmark.
 */
export const CASE_TIME_LIMIT_MS = 1000;

/** Number of cases for a property: `fast` in npm test, FUZZ_RUNS (scaled) in the nightly run. */
export function runsFor(fast: number, nightlyScale = 1): number {
  return NIGHTLY ? Math.max(1, Math.round(envRuns * nightlyScale)) : fast;
}

/** fast-check parameters for a property with `runs` cases. */
export function fuzzParams(runs: number): fc.Parameters<unknown> {
  return { numRuns: runs, seed: FUZZ_SEED, endOnFailure: true };
}

/** Vitest timeout for a property: every case within the per-case bound, plus slack. */
export function timeoutFor(runs: number): number {
  return 30_000 + runs * CASE_TIME_LIMIT_MS;
}

/** What one call did: its value or what it threw, and how long it took. */
export type Outcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; ms: number };

export function outcomeOf<T>(call: () => T): Outcome<T> {
  const start = performance.now();
  try {
    const value = call();
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

/**
 * Checks the common safety properties of one call: it answered within the per-case
 * bound, and if it threw, it threw the module's own error type (anything else is an
 * uncaught crash as far as a user is concerned) with a short, readable message.
 */
export function expectSafeOutcome<T, E extends Error>(
  outcome: Outcome<T>,
  errorType: abstract new (...args: never[]) => E,
): E | null {
  expect(outcome.ms, 'one case took longer than the per-case bound').toBeLessThan(CASE_TIME_LIMIT_MS);
  if (outcome.ok) return null;
  const { error } = outcome;
  if (!(error instanceof errorType)) {
    // Rethrown as is, so the report shows the foreign error and its stack.
    throw error;
  }
  expect(error.message.length).toBeGreaterThan(0);
  // A message is a sentence for a person: never an echo of a megabyte of pasted input.
  expect(error.message.length).toBeLessThan(MAX_MESSAGE_CHARS);
  return error;
}

export const MAX_MESSAGE_CHARS = 1000;

// ---------------------------------------------------------------------------
// Nasty values shared by the generators

/** Numbers that break naive code: non-finite, negative zero, huge, fractional, off-by-one. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    1,
    2,
    0.5,
    1e-300,
    2 ** 31,
    2 ** 31 - 1,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 53,
    1e9,
    1e12,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    3.4028235677973366e38,
  ),
  fc.integer({ min: -10, max: 100 }),
  fc.double(),
);

/**
 * Labels a generated value for fast-check's report, which would otherwise print it in
 * full (recursively, overflowing the stack on deep nesting). A symbol key is invisible
 * to the code under test: Object.keys and JSON ignore it.
 */
function labelled<T extends object>(value: T, label: string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
  return value;
}

/** An array nested `depth` deep, built without recursion. */
export function nestedArray(depth: number): unknown {
  let value: unknown[] = [0];
  for (let i = 1; i < depth; i++) value = [value];
  return labelled(value, `nestedArray(${depth})`);
}

/** An object nested `depth` deep, built without recursion. */
export function nestedObject(depth: number): unknown {
  let value: object = {};
  for (let i = 0; i < depth; i++) value = { a: value };
  return labelled(value, `nestedObject(${depth})`);
}

/** Values of the wrong type or shape for any field. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false, '', '12', ' 3 ', '1e400', 'NaN', '0x10') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 200_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [1, 2, 3], { 0: 1, 2: 3 }, { length: 3 }, [[1]]) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }).map(nestedArray) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }).map(nestedObject) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

// ---------------------------------------------------------------------------
// Mutating a value of JSON shape at random paths

export type Path = ReadonlyArray<string | number>;

/**
 * Every path in `value` (the root included) down to `maxDepth`, found without recursion.
 * Mutations aim at the structure a user writes; values nested deeper (including the
 * deep-nesting bombs a previous mutation planted) are left whole.
 */
export function allPaths(value: unknown, skip: (path: Path) => boolean = () => false, maxDepth = 8): Path[] {
  const paths: Path[] = [];
  const stack: Array<{ path: Path; value: unknown }> = [{ path: [], value }];
  while (stack.length > 0) {
    const { path, value: v } = stack.pop()!;
    paths.push(path);
    if (path.length >= maxDepth || skip(path) || typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) v.forEach((child, i) => stack.push({ path: [...path, i], value: child }));
    else for (const [key, child] of Object.entries(v)) stack.push({ path: [...path, key], value: child });
  }
  return paths;
}

/** One edit at a path: replace, delete, insert a key or element, truncate or re-key an array. */
export type Mutation =
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'delete'; at: number }
  | { kind: 'addKey'; at: number; key: string; value: unknown }
  | { kind: 'truncate'; at: number; keep: number }
  | { kind: 'duplicate'; at: number; times: number }
  | { kind: 'indexKeyed'; at: number; gaps: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: nastyValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('addKey' as const),
      at: fc.nat(),
      key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'w', 'layers', 'type')),
      value: nastyValue,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), keep: fc.nat({ max: 8 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), times: fc.integer({ min: 2, max: 300 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('indexKeyed' as const), at: fc.nat(), gaps: fc.nat({ max: 3 }) }) },
);

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | null {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string | number, unknown>)[path[i]!];
  }
  return typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>) : null;
}

function getAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/**
 * A copy of the top `levels` levels of a generated value, sharing what lies deeper.
 * Mutations edit the structure in place; without the copy they would edit the generated
 * value itself, and fast-check hands out some values (constantFrom's containers) to many
 * cases: edits would pile up across cases, even into cycles. Paths stop at depth 8, so
 * nothing below the copied levels is ever edited.
 */
function copyTop(value: unknown, levels = 8): unknown {
  if (levels === 0 || typeof value !== 'object' || value === null) return value;
  // Array.from and index loops, not map or splice: those build their result through
  // value.constructor, which an 'addKey' mutation may have replaced.
  if (Array.isArray(value)) return Array.from(value as unknown[], (v) => copyTop(v, levels - 1));
  const copy: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    Object.defineProperty(copy, key, { value: copyTop(v, levels - 1), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/**
 * Applies one mutation to `root` in place (the root itself may be replaced, hence the
 * return value). `pickPaths` lists the candidate paths; `at` selects one modulo their count.
 */
export function applyMutation(root: unknown, m: Mutation, pickPaths: (root: unknown) => Path[]): unknown {
  const paths = pickPaths(root);
  const path = paths[m.at % paths.length]!;
  const target = getAt(root, path);
  const set = (value: unknown): unknown => {
    if (path.length === 0) return value;
    const parent = parentOf(root, path);
    if (parent !== null) {
      Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
    }
    return root;
  };
  switch (m.kind) {
    case 'replace':
      return set(copyTop(m.value));
    case 'delete': {
      if (path.length === 0) return undefined;
      const parent = parentOf(root, path);
      const key = path[path.length - 1]!;
      if (Array.isArray(parent)) {
        for (let i = Number(key); i < parent.length - 1; i++) parent[i] = parent[i + 1];
        parent.length -= 1;
      }
      else if (parent !== null) delete parent[key];
      return root;
    }
    case 'addKey': {
      if (typeof target !== 'object' || target === null) return root;
      Object.defineProperty(target, m.key, { value: copyTop(m.value), enumerable: true, writable: true, configurable: true });
      return root;
    }
    case 'truncate':
      if (Array.isArray(target)) target.length = Math.min(target.length, m.keep);
      else if (typeof target === 'string') return set(target.slice(0, m.keep));
      return root;
    case 'duplicate':
      if (Array.isArray(target) && target.length > 0) {
        return set(Array.from({ length: Math.min(target.length * m.times, 5_000) }, (_, i) => target[i % target.length]));
      }
      return root;
    case 'indexKeyed': {
      // JSON.stringify of a Float32Array gives {"0": .., "1": ..}; gaps leave indices out.
      if (!Array.isArray(target)) return root;
      const keyed: Record<string, unknown> = {};
      target.forEach((v, i) => {
        if (m.gaps === 0 || i % (m.gaps + 2) !== 1) keyed[String(i)] = v;
      });
      return set(keyed);
    }
  }
}

// ---------------------------------------------------------------------------
// Mutating text

export type TextEdit =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'number'; which: number; value: string }
  | { kind: 'repeat'; at: number; length: number; times: number };

const insertedText = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 8, unit: 'binary' }),
  fc.constantFrom('{', '}', '[', ']', '(', ')', ',', ';', ':', "'", '"', '`', '/*', '//', '\n', '\\', 'new ', '.push(', 'eval('),
);

/** Replacement numbers as a person (or an attacker) might type them. */
const typedNumber = fc.oneof(
  fc.constantFrom('0', '-1', '1e9', '1e308', '1e400', 'NaN', 'Infinity', '-0', '0x7fffffff', '.5', '5.', '+3', '1_000', '99999999999999999999'),
  fc.integer({ min: -5, max: 5000 }).map(String),
  fc.double({ noNaN: true }).map(String),
  fc.string({ maxLength: 5 }).map((s) => `'${s.replace(/['\\\n]/g, '')}'`),
  fc.constantFrom('{}', '[]', 'null', 'true', '{a:{b:{c:1}}}', `${'['.repeat(50)}${']'.repeat(50)}`),
);

export const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: insertedText }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('number' as const), which: fc.nat(), value: typedNumber }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('repeat' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 80 }),
      times: fc.integer({ min: 2, max: 400 }),
    }),
  },
);

export function applyTextEdit(text: string, edit: TextEdit): string {
  const at = text.length === 0 ? 0 : ('at' in edit ? edit.at : 0) % (text.length + 1);
  switch (edit.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + edit.length);
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'number': {
      const numbers = [...text.matchAll(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi)];
      if (numbers.length === 0) return text;
      const m = numbers[edit.which % numbers.length]!;
      return text.slice(0, m.index) + edit.value + text.slice(m.index + m[0].length);
    }
    case 'repeat': {
      const piece = text.slice(at, at + edit.length);
      return text.slice(0, at) + piece.repeat(edit.times) + text.slice(at);
    }
  }
}
