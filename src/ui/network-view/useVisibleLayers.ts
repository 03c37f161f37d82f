import { useCallback, useEffect, useRef } from 'react';

/**
 * Tracks which layer panels are on screen and reports the set whenever it changes, so
 * only those layers are read. A hidden tab reports none. Without
 * IntersectionObserver (old browsers, jsdom) every panel counts as visible.
 *
 * Returns a ref-callback factory: pass `observe(element, index)` from each panel.
 */
export function useVisibleLayers(report: (indices: number[]) => void): (element: HTMLElement | null, index: number) => void {
  const elements = useRef(new Map<number, HTMLElement>());
  const visible = useRef(new Set<number>());
  const observer = useRef<IntersectionObserver | null>(null);
  const reportRef = useRef(report);
  const pending = useRef(false);

  useEffect(() => {
    reportRef.current = report;
  }, [report]);

  /** Coalesces the many per-panel changes of one scroll or render into one report. */
  const scheduleReport = useCallback(() => {
    if (pending.current) return;
    pending.current = true;
    queueMicrotask(() => {
      pending.current = false;
      const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
      reportRef.current(hidden ? [] : [...visible.current].sort((a, b) => a - b));
    });
  }, []);

  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const index = Number((entry.target as HTMLElement).dataset.layerIndex);
          if (entry.isIntersecting) visible.current.add(index);
          else visible.current.delete(index);
        }
        scheduleReport();
      },
      // A little margin so panels scrolling into view already have pictures.
      { rootMargin: '200px 0px' },
    );
    observer.current = io;
    for (const el of elements.current.values()) io.observe(el);
    const onVisibility = () => scheduleReport();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      io.disconnect();
      observer.current = null;
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [scheduleReport]);

  // Nothing is on screen once the view is gone.
  useEffect(() => () => reportRef.current([]), []);

  return useCallback(
    (element: HTMLElement | null, index: number) => {
      const previous = elements.current.get(index);
      if (previous === element) return;
      if (previous) {
        observer.current?.unobserve(previous);
        elements.current.delete(index);
        visible.current.delete(index);
      }
      if (element) {
        element.dataset.layerIndex = String(index);
        elements.current.set(index, element);
        if (observer.current) observer.current.observe(element);
        else if (typeof IntersectionObserver === 'undefined') visible.current.add(index);
      }
      scheduleReport();
    },
    [scheduleReport],
  );
}
