import { describe, expect, it } from 'vitest';
import { parseScriptOptions } from '../../../scripts/lib/script-options';

const SPEC = {
  numbers: { minutes: { min: 0, exclusive: true }, warmup: { min: 0 } },
  strings: ['dir'],
  flags: ['rebuild'],
};

describe('parseScriptOptions (the measuring scripts’ options)', () => {
  it('reads numbers, text and switches; absent ones stay undefined or false', () => {
    expect(parseScriptOptions(['--minutes', '3', '--dir', '/tmp/x', '--rebuild'], SPEC, 'soak')).toEqual({
      numbers: { minutes: 3 },
      strings: { dir: '/tmp/x' },
      flags: { rebuild: true },
    });
    expect(parseScriptOptions([], SPEC, 'soak')).toEqual({ numbers: {}, strings: { dir: undefined }, flags: { rebuild: false } });
  });

  it('refuses out-of-range and non-numeric values, naming the option', () => {
    expect(() => parseScriptOptions(['--minutes', '0'], SPEC, 'soak')).toThrow("--minutes needs a number above 0, got '0'");
    expect(() => parseScriptOptions(['--warmup=-1'], SPEC, 'soak')).toThrow('--warmup needs a number of at least 0');
    expect(() => parseScriptOptions(['--warmup', 'abc'], SPEC, 'soak')).toThrow(/--warmup/);
    expect(parseScriptOptions(['--warmup', '0'], SPEC, 'soak').numbers.warmup).toBe(0);
  });

  it('refuses unknown options and a missing value, pointing to the script', () => {
    expect(() => parseScriptOptions(['--minuets', '3'], SPEC, 'scripts/soak.ts')).toThrow(/minuets.*scripts\/soak\.ts/);
    expect(() => parseScriptOptions(['--dir'], SPEC, 'scripts/soak.ts')).toThrow(/dir/);
  });
});
