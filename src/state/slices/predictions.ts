/**
 * The predictions slice: the grid of recent test predictions. New ones are held and shown
 * together at most once a second, since each arrival shifts the whole grid of 200 images.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { TestPrediction } from '../../training/protocol';
import type { DashboardState, PredictionsSlice } from '../types';

export const MAX_PREDICTIONS = 200;
/**
 * New test predictions reach the list at most this often. Each arrival shifts the whole
 * grid of 200 images, so a few per second would keep the page busy re-laying it out.
 */
export const PREDICTIONS_PERIOD_MS = 1000;

export const createPredictionsSlice = (): PredictionsSlice => ({
  predictions: [],
  heldPredictions: [],
  predictionsShownAt: -Infinity,
});

/** The predictions after a push: the new ones join the hold, which is shown when the period is over. */
export function predictionsAfterUpdate(state: DashboardState, incoming: readonly TestPrediction[], newRun: boolean): Partial<PredictionsSlice> {
  const patch: Partial<PredictionsSlice> = {};
  let held = state.heldPredictions;
  if (newRun) {
    held = [];
    patch.predictions = [];
    patch.heldPredictions = held;
  }
  if (incoming.length > 0) {
    held = [...held, ...incoming].slice(-MAX_PREDICTIONS);
    patch.heldPredictions = held;
  }
  if (held.length > 0 && Date.now() - state.predictionsShownAt >= PREDICTIONS_PERIOD_MS) {
    Object.assign(patch, shownPredictions(newRun ? [] : state.predictions, held));
  }
  return patch;
}

/** The list with the held predictions added; empties the hold. */
function shownPredictions(current: readonly TestPrediction[], held: readonly TestPrediction[]): Partial<PredictionsSlice> {
  return { predictions: mergePredictions(current, held), heldPredictions: [], predictionsShownAt: Date.now() };
}

/** Newest first, capped; incoming predictions arrive oldest first. */
export function mergePredictions(current: readonly TestPrediction[], incoming: readonly TestPrediction[]): TestPrediction[] {
  const newestFirst = [...incoming].reverse();
  return [...newestFirst, ...current].slice(0, MAX_PREDICTIONS);
}

/** Fraction correct over the predictions held (the last 200 test images); null when none. */
export function testAccuracy(predictions: readonly TestPrediction[]): number | null {
  if (predictions.length === 0) return null;
  return predictions.filter((p) => p.correct).length / predictions.length;
}

/**
 * Shows held predictions once their period is over: a timer while some are held, none
 * when the hold empties (shown, or dropped with the run). Returns the stop function.
 */
export function showHeldPredictionsInTime(store: StoreApi<DashboardState>): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const stopTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.heldPredictions === previous.heldPredictions) return;
    if (state.heldPredictions.length === 0) return stopTimer();
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      const { predictions, heldPredictions } = store.getState();
      if (heldPredictions.length > 0) store.setState(shownPredictions(predictions, heldPredictions));
    }, PREDICTIONS_PERIOD_MS - (Date.now() - state.predictionsShownAt));
  });
  return () => {
    unsubscribe();
    stopTimer();
  };
}
