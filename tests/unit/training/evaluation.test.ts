import { describe, expect, it } from 'vitest';
import {
  confusionMatrix,
  evaluationConfusion,
  imagesInCell,
  mostConfidentlyWrong,
  perClassAccuracy,
  predictedClass,
  topClassesOf,
  TOP_K,
  type TestEvaluation,
} from '../../../src/training/evaluation';

/**
 * A synthetic result: image i has label i % 10; it is predicted right unless i % 7 == 0,
 * in which case it is predicted as (label + 1) % 10. The top probability is a known
 * function of i so the ordering of wrong predictions can be checked by hand.
 */
function syntheticEvaluation(n: number): TestEvaluation {
  const labels = new Uint8Array(n);
  const topLabels = new Uint8Array(n * TOP_K);
  const topProbabilities = new Float32Array(n * TOP_K);
  for (let i = 0; i < n; i++) {
    const label = i % 10;
    const predicted = i % 7 === 0 ? (label + 1) % 10 : label;
    labels[i] = label;
    topLabels.set([predicted, (predicted + 2) % 10, (predicted + 3) % 10], i * TOP_K);
    const top = 0.5 + ((i * 37) % 50) / 100;
    topProbabilities.set([top, (1 - top) * 0.6, (1 - top) * 0.3], i * TOP_K);
  }
  const fourCropCorrect = labels.filter((l, i) => topLabels[i * TOP_K] === l).length;
  return { runId: 1, examplesSeen: 0, total: n, fourCropCorrect, centerCorrect: 0, labels, topLabels, topProbabilities };
}

describe('confusion matrix', () => {
  it('counts each (true, predicted) pair in its cell, rows true and columns predicted', () => {
    const labels = [0, 0, 1, 1, 1, 2, 2, 9];
    const predicted = [0, 1, 1, 1, 2, 2, 2, 4];
    const m = confusionMatrix(labels, predicted);
    expect(m).toHaveLength(10);
    expect(m[0][0]).toBe(1);
    expect(m[0][1]).toBe(1);
    expect(m[1][1]).toBe(2);
    expect(m[1][2]).toBe(1);
    expect(m[2][2]).toBe(2);
    expect(m[9][4]).toBe(1);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(labels.length);
    expect(perClassAccuracy(m).slice(0, 3)).toEqual([0.5, 2 / 3, 1]);
    // A class without images has no accuracy rather than 0 or NaN.
    expect(perClassAccuracy(m)[5]).toBeNull();
    expect(perClassAccuracy(m)[9]).toBe(0);
  });

  it('on a synthetic result of 1000 images sums to N with the right diagonal and per-class accuracy', () => {
    const n = 1000;
    const e = syntheticEvaluation(n);
    const m = evaluationConfusion(e);
    expect(m.flat().reduce((a, b) => a + b, 0)).toBe(n);
    for (let t = 0; t < 10; t++) {
      let right = 0;
      let wrong = 0;
      for (let i = t; i < n; i += 10) (i % 7 === 0 ? wrong++ : right++);
      expect(m[t][t]).toBe(right);
      expect(m[t][(t + 1) % 10]).toBe(wrong);
      expect(m[t].reduce((a, b) => a + b, 0)).toBe(100);
      expect(perClassAccuracy(m)[t]).toBeCloseTo(right / 100, 12);
    }
    const diagonal = m.reduce((sum, row, t) => sum + row[t], 0);
    expect(diagonal).toBe(e.fourCropCorrect);
  });

  it('rejects mismatched lengths and classes out of range', () => {
    expect(() => confusionMatrix([1, 2], [1])).toThrow(/2 labels but 1 predictions/);
    expect(() => confusionMatrix([10], [1])).toThrow(/outside 0\.\.9/);
  });
});

describe('reading a result', () => {
  it('lists the images of one cell in test-set order', () => {
    const e = syntheticEvaluation(200);
    // True 3 predicted 4: i % 10 == 3 and i % 7 == 0 -> 63, 133.
    expect(imagesInCell(e, 3, 4)).toEqual([63, 133]);
    expect(imagesInCell(e, 3, 3)).toHaveLength(20 - 2);
    expect(imagesInCell(e, 3, 7)).toEqual([]);
    expect(predictedClass(e, 63)).toBe(4);
    expect(topClassesOf(e, 63).map((c) => c.label)).toEqual([4, 6, 7]);
  });

  it('orders the most confidently wrong by the probability of the wrong class, highest first', () => {
    const e = syntheticEvaluation(300);
    const wrongAll = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 7 === 0);
    const top = mostConfidentlyWrong(e, 20);
    expect(top).toHaveLength(20);
    for (const i of top) expect(predictedClass(e, i)).not.toBe(e.labels[i]);
    const confidence = (i: number) => e.topProbabilities[i * TOP_K];
    for (let k = 1; k < top.length; k++) {
      const before = confidence(top[k - 1]);
      const after = confidence(top[k]);
      expect(before).toBeGreaterThanOrEqual(after);
      if (before === after) expect(top[k - 1]).toBeLessThan(top[k]);
    }
    // Nothing left out is surer than the last one kept.
    const rest = wrongAll.filter((i) => !top.includes(i));
    expect(Math.max(...rest.map(confidence))).toBeLessThanOrEqual(confidence(top[19]));
    // Asking for more than there are gives all of them.
    expect(mostConfidentlyWrong(e, 1000)).toHaveLength(wrongAll.length);
  });
});
