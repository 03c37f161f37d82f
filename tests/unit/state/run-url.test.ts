import { describe, expect, it } from 'vitest';
import { SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import {
  carriesRunConfig,
  MAX_SEED,
  parseSeed,
  readRunConfig,
  writeRunConfig,
} from '../../../src/state/run-url';

const MLP = `// A small MLP: fc 100 relu, fc 100 relu, softmax — «über» naïve 数字 ✓
layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'fc', num_neurons:100, activation:'relu'});
layer_defs.push({type:'fc', num_neurons:100, activation:'relu'});
layer_defs.push({type:'softmax', num_classes:10});
trainer = new convnetjs.SGDTrainer(net, {method:'sgd', learning_rate:0.01, momentum:0.9, batch_size:10, l2_decay:0.001});
`;

/** Through a real address, as a browser would store and hand it back. */
function throughAddress(params: URLSearchParams): URLSearchParams {
  const url = new URL('https://example.test/app/');
  url.search = params.toString();
  return new URL(url.href).searchParams;
}

describe('run configuration in the URL', () => {
  it('round-trips a definition with unicode and comments, and a seed, through an address', () => {
    const written = writeRunConfig(new URLSearchParams(), { definitionText: MLP, seed: 4242 });
    const { config, problems } = readRunConfig(throughAddress(written));
    expect(problems).toEqual([]);
    expect(config).toEqual({ definitionText: MLP, seed: 4242 });
  });

  it('round-trips a long definition (199 layers, about 10 kB) and the largest seed', () => {
    const lines = ['layer_defs = [];', "layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});"];
    for (let i = 0; i < 98; i++) lines.push(`layer_defs.push({type:'fc', num_neurons:4, activation:'tanh'}); // hidden layer ${i} & friends ✓ =?#`);
    lines.push("layer_defs.push({type:'softmax', num_classes:10});");
    const text = lines.join('\n');
    expect(text.length).toBeGreaterThan(9_000);
    const { config, problems } = readRunConfig(throughAddress(writeRunConfig(new URLSearchParams(), { definitionText: text, seed: MAX_SEED })));
    expect(problems).toEqual([]);
    expect(config.definitionText).toBe(text);
    expect(config.seed).toBe(MAX_SEED);
  });

  it('keeps other parameters and leaves defaults out', () => {
    const before = new URLSearchParams('layer=3&workers=2&seed=9&net=x');
    const written = writeRunConfig(before, { definitionText: SEED_DEFINITION_TEXT, seed: 1 });
    expect(written.toString()).toBe('layer=3&workers=2');
    expect(carriesRunConfig(written)).toBe(false);
    expect(before.get('seed')).toBe('9');
    const changed = writeRunConfig(written, { definitionText: MLP, seed: 0 });
    expect(changed.get('layer')).toBe('3');
    expect(changed.get('workers')).toBe('2');
    expect(changed.get('seed')).toBe('0');
    expect(carriesRunConfig(changed)).toBe(true);
  });

  it('reads an address without a configuration as the defaults', () => {
    expect(readRunConfig(new URLSearchParams('layer=2'))).toEqual({ config: {}, problems: [] });
  });

  it('rejects a bad seed with a sentence and keeps a good network', () => {
    const params = writeRunConfig(new URLSearchParams(), { definitionText: MLP, seed: 5 });
    params.set('seed', '-3');
    const { config, problems } = readRunConfig(params);
    expect(config).toEqual({ definitionText: MLP });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe("The link's seed cannot be used, so seed 1 is used instead. The seed must be a whole number from 0 to 4294967295; “-3” is not.");
  });

  it('rejects a definition the parser refuses, naming the problem', () => {
    const params = new URLSearchParams({ seed: '7', net: "layer_defs.push({type:'conv', sx:5, filters:8});" });
    const { config, problems } = readRunConfig(params);
    expect(config).toEqual({ seed: 7 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^The link's network cannot be used, so the default network trains instead\. Line 1, column 1: .*layer_defs = \[\];$/);
  });

  it('rejects an empty definition', () => {
    const { config, problems } = readRunConfig(new URLSearchParams('net='));
    expect(config).toEqual({});
    expect(problems[0]).toMatch(/network definition is empty/);
  });
});

describe('parseSeed', () => {
  it('accepts whole numbers from 0 to 2^32 - 1', () => {
    expect(parseSeed('0')).toEqual({ ok: true, seed: 0 });
    expect(parseSeed(' 123 ')).toEqual({ ok: true, seed: 123 });
    expect(parseSeed('4294967295')).toEqual({ ok: true, seed: 4294967295 });
  });

  it.each([
    ['', /Enter a seed/],
    ['1.5', /whole number/],
    ['1e3', /whole number/],
    ['-1', /whole number/],
    ['abc', /whole number/],
    ['4294967296', /too large/],
    ['99999999999999999999999999', /too large/],
  ])('rejects %j', (text, message) => {
    const result = parseSeed(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});
