import { startTransition, useEffect, useRef, useState } from 'react';

/**
 * The value, but changing at most once per `intervalMs` (the latest value always lands).
 * For views that are costly to redraw and gain nothing from 10 updates a second.
 * Values for which `isUrgent` holds (e.g. an emptied list after a reset) show at once
 * and do not start a new interval. While `paused` (e.g. the view is off screen) the shown
 * value stays as it is, apart from urgent ones; the latest lands once unpaused.
 */
export function useThrottled<T>(value: T, intervalMs: number, isUrgent?: (value: T) => boolean, paused = false): T {
  const [shown, setShown] = useState(value);
  const lastShownAt = useRef(-Infinity);
  const urgent = isUrgent?.(value) ?? false;
  useEffect(() => {
    if (Object.is(value, shown)) return;
    if (urgent) {
      setShown(value);
      return;
    }
    if (paused) return;
    const show = () => {
      lastShownAt.current = performance.now();
      // A transition: React renders it in short slices, yielding to the page between
      // them, so redrawing a chart or a grid never blocks the main thread in one long task.
      startTransition(() => setShown(value));
    };
    const wait = lastShownAt.current + intervalMs - performance.now();
    if (wait <= 0) {
      show();
      return;
    }
    const timer = setTimeout(show, wait);
    return () => clearTimeout(timer);
  }, [value, shown, intervalMs, urgent, paused]);
  // An urgent value is returned in the same render, not one effect later.
  return urgent ? value : shown;
}
