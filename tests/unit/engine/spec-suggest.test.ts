import { describe, expect, it } from 'vitest';
import { closestName, editDistance, listNames, suggestion } from '../../../src/engine/suggest';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['conv', 'conv', 0],
    ['', 'abc', 3],
    ['adadelata', 'adadelta', 1],
    ['flters', 'filters', 1],
    ['cnov', 'conv', 1], // a swap counts once
    ['kitten', 'sitting', 3],
    ['num_classes', 'num_neurons', 6],
    ['ca', 'abc', 3], // optimal string alignment: a swapped pair is not edited again
  ])('%s -> %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closestName', () => {
  const methods = ['sgd', 'adam', 'adagrad', 'windowgrad', 'adadelta', 'nesterov'];

  it('finds the intended name for small typos, ignoring case', () => {
    expect(closestName('adadelata', methods)).toBe('adadelta');
    expect(closestName('Adam', methods)).toBe('adam');
    expect(closestName('nestrov', methods)).toBe('nesterov');
  });

  it('suggests nothing when no name is plausibly meant', () => {
    expect(closestName('lbfgs', methods)).toBeUndefined();
    expect(closestName('x', ['conv', 'fc'])).toBeUndefined();
  });
});

describe('suggestion', () => {
  it('asks "did you mean" or lists the choices', () => {
    expect(suggestion('sofmax', ['softmax', 'svm'])).toBe("did you mean 'softmax'?");
    expect(suggestion('zzz', ['softmax', 'svm'])).toBe("use one of 'softmax' or 'svm'");
    expect(listNames(['a', 'b', 'c'], 'and')).toBe("'a', 'b' and 'c'");
  });
});
