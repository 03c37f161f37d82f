import { useEffect, useState } from 'react';

/**
 * Whether an element is on screen (or within `rootMargin` of it), for panels that can skip
 * work nobody would see. Returns a ref callback and the flag. Without IntersectionObserver
 * (jsdom, old browsers) everything counts as on screen.
 */
export function useOnScreen<T extends Element>(rootMargin = '200px 0px'): [(element: T | null) => void, boolean] {
  const [element, setElement] = useState<T | null>(null);
  const [onScreen, setOnScreen] = useState(true);
  useEffect(() => {
    if (!element || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        const latest = entries[entries.length - 1];
        if (latest) setOnScreen(latest.isIntersecting);
      },
      { rootMargin },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [element, rootMargin]);
  return [setElement, onScreen];
}
