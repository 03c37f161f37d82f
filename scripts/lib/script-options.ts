/**
 * Options of the measuring scripts (`bench:browser`, `soak`): node:util parseArgs in
 * strict mode, so an unknown or misspelt option stops the script, plus a range check for
 * the numeric ones. One place, so the scripts do not each hand-roll an argv loop.
 */
import { parseArgs } from 'node:util';

export interface ScriptOptionSpec {
  /** Numeric options and the least value each accepts (`exclusive`: the value must be above it). */
  numbers?: Record<string, { min: number; exclusive?: boolean }>;
  /** Options taking text (a comma list, a directory). */
  strings?: readonly string[];
  /** Switches without a value. */
  flags?: readonly string[];
}

export interface ScriptOptions {
  numbers: Record<string, number | undefined>;
  strings: Record<string, string | undefined>;
  flags: Record<string, boolean>;
}

/** Parses `--name value` and `--flag` options; throws an Error naming the option at fault. */
export function parseScriptOptions(argv: readonly string[], spec: ScriptOptionSpec, script: string): ScriptOptions {
  const numberNames = Object.keys(spec.numbers ?? {});
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const name of [...numberNames, ...(spec.strings ?? [])]) options[name] = { type: 'string' };
  for (const name of spec.flags ?? []) options[name] = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new Error(`${(error as Error).message} (see the comment at the top of ${script})`);
  }
  const result: ScriptOptions = { numbers: {}, strings: {}, flags: {} };
  for (const name of numberNames) {
    const text = values[name] as string | undefined;
    if (text === undefined) continue;
    const { min, exclusive } = spec.numbers![name];
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || (exclusive && n === min)) {
      throw new Error(`--${name} needs a number ${exclusive ? 'above' : 'of at least'} ${min}, got '${text}'`);
    }
    result.numbers[name] = n;
  }
  for (const name of spec.strings ?? []) result.strings[name] = values[name] as string | undefined;
  for (const name of spec.flags ?? []) result.flags[name] = values[name] === true;
  return result;
}
