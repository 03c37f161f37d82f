import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { gunzipIfCompressed, InputBudget, parseClassNames } from '../../../src/data/local-files';
import { refusal } from './dataset-fixtures';

const text = (s: string) => new TextEncoder().encode(s);

describe('gunzipIfCompressed', () => {
  it('decompresses by the magic bytes, whatever the name says', () => {
    const raw = Uint8Array.from({ length: 5000 }, (_, i) => i % 251);
    expect(Array.from(gunzipIfCompressed({ name: 'plain-name', bytes: gzipSync(raw) }))).toEqual(Array.from(raw));
    // Named .gz but not compressed: read as it is.
    expect(gunzipIfCompressed({ name: 'labels.gz', bytes: raw })).toBe(raw);
  });

  it('refuses damaged or truncated gzip data, naming the file', async () => {
    const packed = gzipSync(Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
    const error = await refusal(() => gunzipIfCompressed({ name: 'train.gz', bytes: packed.subarray(0, 40) }));
    expect(error.message).toBe('train.gz: is gzip-compressed but damaged or truncated; download it again');
  });

  it('stops a file that expands past the cap', async () => {
    const bomb = gzipSync(new Uint8Array(2_000_000));
    expect(bomb.length).toBeLessThan(10_000);
    const error = await refusal(() => gunzipIfCompressed({ name: 'bomb.gz', bytes: bomb }, 1_000_000));
    expect(error.message).toBe('bomb.gz: decompresses to more than 1.0 MB, past the limit for loaded data');
  });

  it('recognizes a gzipped tar archive and asks for its contents', async () => {
    const tar = new Uint8Array(1024);
    tar.set(text('ustar'), 257);
    const error = await refusal(() => gunzipIfCompressed({ name: 'cifar-10-binary.tar.gz', bytes: gzipSync(tar) }));
    expect(error.message).toContain('is a tar archive; extract it');
  });
});

describe('InputBudget', () => {
  it('names the file that crosses the cap', async () => {
    const budget = new InputBudget(3 * 1024 * 1024);
    budget.take('a', 2 * 1024 * 1024);
    const error = await refusal(() => budget.take('b', 2 * 1024 * 1024));
    expect(error.message).toBe('b: brings the input to 4.0 MB, past the 3.0 MB a dataset may load');
  });
});

describe('parseClassNames', () => {
  it('reads a JSON array or one name a line, trimming and skipping blank lines', () => {
    expect(parseClassNames({ name: 'classes.json', bytes: text('["cat", " dog "]') })).toEqual(['cat', 'dog']);
    expect(parseClassNames({ name: 'batches.meta.txt', bytes: text('airplane\r\nautomobile\n\n\n') })).toEqual(['airplane', 'automobile']);
  });

  it('refuses bad lists without repeating their contents', async () => {
    const cases: Array<[string, string]> = [
      ['["secret-a"]', 'lists 1 class name; a classifier needs at least two'],
      ['["secret-a", 3]', 'must be a JSON array of strings'],
      ['[secret', 'starts like a JSON array but is not valid JSON'],
      ['secret\nsecret', 'class name 2 repeats an earlier one'],
      [`a\n${'secret'.repeat(20)}`, 'class name 2 is longer than 60 characters'],
    ];
    for (const [content, problem] of cases) {
      const error = await refusal(() => parseClassNames({ name: 'names.txt', bytes: text(content) }));
      expect(error.message).toContain(`names.txt: ${problem}`);
      expect(error.message).not.toContain('secret');
    }
    const binary = await refusal(() => parseClassNames({ name: 'names.txt', bytes: Uint8Array.of(0xff, 0xfe, 0x80) }));
    expect(binary.message).toBe('names.txt: is not UTF-8 text, so not a list of class names');
  });
});
