/**
 * A run's configuration in the page URL, so a link reproduces it: the network definition
 * (layers and trainer, as the editor shows it) in `net`, the seed in `seed`. Pure: it
 * reads and writes URLSearchParams and leaves every other parameter (`layer`, `workers`)
 * as it was. A value equal to the default is left out, so the plain address still means
 * "the seed network, seed 1".
 */
import { parseNetwork, SEED_DEFINITION_TEXT } from '../engine';
import { errorMessage } from '../engine';

export const NET_PARAM = 'net';
export const SEED_PARAM = 'seed';
/** Training threads, this worker included (see trainingWorkerCount); read by the bridge. */
export const WORKERS_PARAM = 'workers';
/** The tab's autosaved run (see autosave-tab.ts): a reload goes back to it. */
export const RUN_PARAM = 'run';
/** The seed a session uses when none is given (see TrainingSession). */
export const DEFAULT_SEED = 1;
/** Seeds are 32-bit unsigned integers: the PRNG state is one uint32. */
export const MAX_SEED = 2 ** 32 - 1;

/** What a link asks for; a missing field means the default. */
export interface RunConfig {
  definitionText?: string;
  seed?: number;
}

/** The configuration in force, as written into the URL. */
export interface RunInForce {
  definitionText: string;
  seed: number;
}

export type SeedResult = { ok: true; seed: number } | { ok: false; error: string };

/** Reads a seed typed by a person or found in a URL: a whole number from 0 to 2^32 - 1, decimal digits only. */
export function parseSeed(text: string): SeedResult {
  const trimmed = text.trim();
  const range = `a whole number from 0 to ${MAX_SEED}`;
  if (trimmed === '') return { ok: false, error: `Enter a seed: ${range}.` };
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: `The seed must be ${range}; “${excerpt(trimmed)}” is not.` };
  const seed = Number(trimmed);
  if (seed > MAX_SEED) return { ok: false, error: `The seed ${excerpt(trimmed)} is too large; use ${range}.` };
  return { ok: true, seed };
}

/**
 * The configuration a URL carries, and a sentence for each part that cannot be used
 * (that part is left out, so the run falls back to its default). The network is parsed
 * and validated here; whether it fits MNIST is the worker's call.
 */
export function readRunConfig(params: URLSearchParams): { config: RunConfig; problems: string[] } {
  const config: RunConfig = {};
  const problems: string[] = [];
  const seedText = params.get(SEED_PARAM);
  if (seedText !== null) {
    const seed = parseSeed(seedText);
    if (seed.ok) config.seed = seed.seed;
    else problems.push(`The link's seed cannot be used, so seed ${DEFAULT_SEED} is used instead. ${seed.error}`);
  }
  const text = params.get(NET_PARAM);
  if (text !== null) {
    const problem = definitionProblem(text);
    if (problem === null) config.definitionText = text;
    else problems.push(`The link's network cannot be used, so the default network trains instead. ${capitalize(problem)}`);
  }
  return { config, problems };
}

/** A copy of `params` holding the run in force; other parameters are kept, defaults are left out. */
export function writeRunConfig(params: URLSearchParams, run: RunInForce): URLSearchParams {
  const next = new URLSearchParams(params);
  if (run.definitionText === SEED_DEFINITION_TEXT) next.delete(NET_PARAM);
  else next.set(NET_PARAM, run.definitionText);
  if (run.seed === DEFAULT_SEED) next.delete(SEED_PARAM);
  else next.set(SEED_PARAM, String(run.seed));
  return next;
}

/** True when the URL names any part of a run (then it, not an autosave, says what to train). */
export function carriesRunConfig(params: URLSearchParams): boolean {
  return params.has(NET_PARAM) || params.has(SEED_PARAM);
}

function definitionProblem(text: string): string | null {
  if (text.trim() === '') return 'the network definition is empty.';
  try {
    parseNetwork(text);
    return null;
  } catch (error) {
    return errorMessage(error);
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function excerpt(text: string): string {
  return text.length > 24 ? `${text.slice(0, 24)}…` : text;
}
