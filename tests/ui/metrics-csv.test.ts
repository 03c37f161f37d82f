import { describe, expect, it } from 'vitest';
import { csvField, metricsCsv, toCsv } from '../../src/ui/export/metrics-csv';

const lines = (csv: string) => csv.split('\r\n');

describe('metrics history as CSV', () => {
  it('writes a header, then chart points and test evaluations in order of examples', () => {
    const csv = metricsCsv(
      [
        { examples: 200, loss: 2.3, trainingAccuracy: null, validationAccuracy: null },
        { examples: 400, loss: 1.25, trainingAccuracy: 0.55, validationAccuracy: 0.5 },
        { examples: 600, loss: 0.8, trainingAccuracy: 0.7 },
      ],
      [
        { examples: 400, fourCropAccuracy: 0.62, centerAccuracy: 0.6 },
        { examples: 250, fourCropAccuracy: 0.3, centerAccuracy: 0.25 },
      ],
    );
    expect(lines(csv)).toEqual([
      'kind,examples,loss,training_accuracy,validation_accuracy,test_accuracy_4crop,test_accuracy_center',
      'history,200,2.3,,,,',
      'test evaluation,250,,,,0.3,0.25',
      'history,400,1.25,0.55,0.5,,',
      // At equal examples the chart point comes first.
      'test evaluation,400,,,,0.62,0.6',
      // A missing (not only null) accuracy is an empty field too.
      'history,600,0.8,0.7,,,',
      '',
    ]);
  });

  it('is just the header for an empty history', () => {
    expect(metricsCsv([], [])).toBe('kind,examples,loss,training_accuracy,validation_accuracy,test_accuracy_4crop,test_accuracy_center\r\n');
  });

  it('keeps six significant digits and leaves non-finite numbers empty', () => {
    const [, row] = lines(metricsCsv([{ examples: 1000, loss: 0.1 + 0.2, trainingAccuracy: 2 / 3, validationAccuracy: Number.NaN }], []));
    expect(row).toBe('history,1000,0.3,0.666667,,,');
    expect(csvField(Number.POSITIVE_INFINITY)).toBe('');
    expect(csvField(1e-9)).toBe('1e-9');
    expect(csvField(123456789)).toBe('123456789');
  });

  it('quotes text holding commas, quotes or line breaks, doubling the quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(toCsv([['x', 'y,z'], [1, null]])).toBe('x,"y,z"\r\n1,\r\n');
  });
});
