// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ScoreBars } from '../../src/ui/inspector/ScoreBars';

afterEach(cleanup);

/** Where each bar starts and ends on its track, as percentages (from the inline styles). */
function barSpans(group: HTMLElement): { start: number; end: number }[] {
  return within(group)
    .getAllByRole('listitem')
    .map((item) => {
      const fill = item.querySelector<HTMLElement>('.inspector-score__fill')!;
      const start = Number.parseFloat(fill.style.left);
      return { start, end: start + Number.parseFloat(fill.style.width) };
    });
}

function zeroAt(group: HTMLElement): number {
  return Number.parseFloat(group.querySelector<HTMLElement>('.inspector-score__zero')!.style.left);
}

describe('class score bars', () => {
  it('put every score on one signed axis, so the highest reaches furthest right even when all are negative', () => {
    const scores = Float32Array.from([-3, -1.78, -2.5, -4]);
    render(<ScoreBars values={scores} unit="class" current={0} onCurrent={() => {}} label="Class scores" readoutId="r" />);
    const group = screen.getByRole('group', { name: 'Class scores' });
    const spans = barSpans(group);
    // Zero is the axis's right end; each bar runs from its value to zero.
    expect(zeroAt(group)).toBe(100);
    for (const span of spans) expect(span.end).toBeCloseTo(100);
    const starts = spans.map((s) => s.start);
    // The winner (class 1, -1.78) starts furthest right: its bar is the shortest distance below zero, read by position.
    expect(starts.indexOf(Math.max(...starts))).toBe(1);
    expect(starts[3]).toBeCloseTo(0);
    expect(within(group).getByText('class 1').textContent).toBe('class 1 (highest)');
  });

  it('draw negative scores left of zero and positive ones right of it', () => {
    const scores = Float32Array.from([-1, 3]);
    render(<ScoreBars values={scores} unit="class" current={0} onCurrent={() => {}} label="Class scores" readoutId="r" />);
    const group = screen.getByRole('group', { name: 'Class scores' });
    expect(zeroAt(group)).toBeCloseTo(25);
    const [negative, positive] = barSpans(group);
    expect(negative!.start).toBeCloseTo(0);
    expect(negative!.end).toBeCloseTo(25);
    expect(positive!.start).toBeCloseTo(25);
    expect(positive!.end).toBeCloseTo(100);
  });
});
