/**
 * The open layer inspector lives in the URL (`?layer=3`), so a link opens it and the
 * browser's back and forward buttons move between the overview and the layers visited.
 * Other query parameters are kept as they are.
 */
import { useSyncExternalStore } from 'react';

const LAYER_PARAM = 'layer';
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

/** The layer index in the URL, or null when none (or not a whole number >= 0) is there. */
export function inspectedLayerFromUrl(): number | null {
  if (typeof window === 'undefined') return null;
  const raw = new URLSearchParams(window.location.search).get(LAYER_PARAM);
  if (raw === null || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}

function pushLayer(index: number | null): void {
  const url = new URL(window.location.href);
  if (index === null) url.searchParams.delete(LAYER_PARAM);
  else url.searchParams.set(LAYER_PARAM, String(index));
  if (url.href === window.location.href) return;
  window.history.pushState(window.history.state, '', url);
  notify();
}

/** Opens the inspector on a layer as a new history entry. Callable from any panel. */
export function openLayerInspector(index: number): void {
  pushLayer(index);
}

/** Back to the overview, as a new history entry (Back reopens the layer). */
export function closeLayerInspector(): void {
  pushLayer(null);
}

/** The layer whose inspector is open, following the URL. */
export function useInspectedLayer(): number | null {
  return useSyncExternalStore(subscribe, inspectedLayerFromUrl, () => null);
}
