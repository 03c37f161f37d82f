/**
 * Class labels as people read them: the dataset's class names (MNIST's are "0".."9"),
 * so every panel that shows a label names the class the same way.
 */
import { useMemo } from 'react';
import { useDashboard } from '../../state/store';
import type { ImageShape } from './DatasetImage';

/** The name of class `label`, or its number when the dataset names fewer classes. */
export function classNameOf(classNames: readonly string[], label: number): string {
  return classNames[label] ?? String(label);
}

/** The current dataset's class names. */
export function useClassNames(): readonly string[] {
  return useDashboard((s) => s.dataset.classNames);
}

/** The current dataset's image shape; the same object while the shape stays (memoized children keep it). */
export function useImageShape(): ImageShape {
  const width = useDashboard((s) => s.dataset.width);
  const height = useDashboard((s) => s.dataset.height);
  const channels = useDashboard((s) => s.dataset.channels);
  return useMemo(() => ({ width, height, channels }), [width, height, channels]);
}

/** Names up to this long (MNIST's digits, short codes) fit anywhere a number would. */
const SHORT_NAME_CHARS = 3;

/** Whether every class name is short enough to sit where a digit would; longer ones get layouts of their own. */
export function namesAreShort(classNames: readonly string[]): boolean {
  return classNames.every((name) => name.length <= SHORT_NAME_CHARS);
}
