/**
 * Which run a tab is on. A tab keeps its run id in sessionStorage (per tab, kept across
 * reloads) and in the URL's `run` parameter (so the address names the run), and holds the
 * run's lock while it is open (autosave-locks.ts). A reload therefore returns a tab to ITS
 * run; a page opened fresh starts a run of its own and offers the recent runs to resume.
 *
 * A run the tab asks for that another tab holds (a duplicated tab, a copied address) is
 * not forked: the tab starts a new run and says so.
 */
import type { RunClaim, RunLocks } from './autosave-locks';
import { isRunId, newRunId, type FoundAutosave, type SavedRuns } from './autosave-runs';
import { restoreOptions, type Autosaver } from './autosave';
import { SEED_DEFINITION_TEXT } from '../engine';
import { carriesRunConfig, DEFAULT_SEED, readRunConfig, RUN_PARAM } from './run-url';
import type { RestoredRun, SavedRunsAccess } from './slices/context';
import type { SavedRunSummary } from './types';

/** The sessionStorage key of the tab's run id. */
export const TAB_RUN_KEY = 'mnist-cnn-dashboard run';

/** The bit of sessionStorage this needs; tests pass a Map-backed one. */
export interface TabMemory {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const RUN_OPEN_ELSEWHERE =
  'The run this tab had is open in another tab, so this tab started a new run of its own; switch to the other tab to go on with that run.';

/** How long a reloading tab waits for the page it replaces to let go of its run, ms. */
export const RELOAD_WAIT_MS = 1000;

/** What a tab starts with. */
export interface TabStart {
  runId: string;
  claim: RunClaim;
  /** This tab's run record, as read. */
  found: FoundAutosave;
  /** Set when the tab's run is open in another tab (a new run started instead). */
  openElsewhere: string | null;
  /** The recent runs to offer (only to a tab that did not go back to a run of its own). */
  offer: SavedRunSummary[];
}

export interface TabRunSources {
  runs: SavedRuns;
  locks: RunLocks;
  url: URLSearchParams;
  memory: TabMemory;
}

/** Finds the tab's run (see the file comment), moving an old single-record autosave into a run of its own first. */
export async function openTabRun({ runs, locks, url, memory }: TabRunSources): Promise<TabStart> {
  const fromUrl = url.get(RUN_PARAM);
  const asked = isRunId(fromUrl) ? fromUrl : memory.getItem(TAB_RUN_KEY);
  const legacy = await runs.migrateLegacy();
  if (isRunId(asked)) {
    const claim = await locks.claim(asked, RELOAD_WAIT_MS);
    if (claim) {
      const found = await runs.read(asked);
      // The address bar follows the run in force, so a record of another configuration is
      // older than it (a reload right after a change, before its save): the address wins.
      const current: FoundAutosave = found.kind === 'found' && !fitsLink(found.record.config, url) ? { kind: 'none' } : found;
      return remember(memory, { runId: asked, claim, found: current, openElsewhere: null, offer: [] });
    }
    return remember(memory, { ...(await freshRun(runs, locks)), openElsewhere: RUN_OPEN_ELSEWHERE });
  }
  // An autosave from before per-run records goes on in the first page that opens, as it used to.
  if (legacy?.found.kind === 'found' && fitsLink(legacy.found.record.config, url)) {
    const claim = await locks.claim(legacy.id);
    if (claim) return remember(memory, { runId: legacy.id, claim, found: legacy.found, openElsewhere: null, offer: [] });
  }
  const fresh = await freshRun(runs, locks);
  return remember(memory, { ...fresh, found: legacy?.found.kind === 'refused' ? legacy.found : fresh.found });
}

/** A tab that could not reach the records in time: a run of its own, nothing offered. */
export async function unreadTabRun(locks: RunLocks, memory: TabMemory): Promise<TabStart> {
  const runId = newRunId();
  const claim = (await locks.claim(runId)) ?? { release: () => undefined };
  return remember(memory, { runId, claim, found: { kind: 'none' }, openElsewhere: null, offer: [] });
}

async function freshRun(runs: SavedRuns, locks: RunLocks): Promise<TabStart> {
  const runId = newRunId();
  // A new random id is nobody's: the claim only fails where locks do not work at all.
  const claim = (await locks.claim(runId)) ?? { release: () => undefined };
  return { runId, claim, found: { kind: 'none' }, openElsewhere: null, offer: await offerOf(runs, locks, runId) };
}

/** The runs to offer a tab on `runId`: every other run, newest first, marked when another tab has it open. */
async function offerOf(runs: SavedRuns, locks: RunLocks, runId: string): Promise<SavedRunSummary[]> {
  const [all, elsewhere] = await Promise.all([runs.list(), locks.heldElsewhere()]);
  return all.filter((run) => run.id !== runId).map((run) => (elsewhere.has(run.id) ? { ...run, openElsewhere: true } : run));
}

function remember(memory: TabMemory, start: TabStart): TabStart {
  memory.setItem(TAB_RUN_KEY, start.runId);
  return start;
}

/** Without a run in the link, any record fits; with one, only a record of that same network and seed. */
function fitsLink(config: { definitionText: string; seed: number }, url: URLSearchParams): boolean {
  if (!carriesRunConfig(url)) return true;
  const wanted = readRunConfig(url).config;
  return (wanted.definitionText ?? SEED_DEFINITION_TEXT) === config.definitionText && (wanted.seed ?? DEFAULT_SEED) === config.seed;
}

/** The store's access to the saved runs (SavedRunsAccess), for one tab. */
export class TabRuns implements SavedRunsAccess {
  readonly offer: readonly SavedRunSummary[];
  readonly openElsewhere: string | null;
  private current: { id: string; claim: RunClaim };

  constructor(
    start: TabStart,
    private readonly runs: SavedRuns,
    private readonly locks: RunLocks,
    private readonly memory: TabMemory,
    private readonly autosaver: Autosaver,
  ) {
    this.current = { id: start.runId, claim: start.claim };
    this.offer = start.offer;
    this.openElsewhere = start.openElsewhere;
  }

  get runId(): string {
    return this.current.id;
  }

  async open(id: string): Promise<{ ok: true; run: RestoredRun } | { ok: false; error: string }> {
    if (id === this.current.id) return { ok: false, error: 'This tab is already on that run.' };
    const claim = await this.locks.claim(id);
    if (!claim) return { ok: false, error: 'That run is open in another tab; switch to that tab to go on with it.' };
    const found = await this.runs.read(id);
    const { restored } = restoreOptions(found);
    if (found.kind !== 'found' || !restored) {
      claim.release();
      const why = found.kind === 'refused' ? `its record cannot be used: ${found.problem}` : 'it is no longer saved (deleted in another tab?)';
      return { ok: false, error: `That run cannot be resumed: ${why}.` };
    }
    this.current.claim.release();
    this.current = { id, claim };
    this.memory.setItem(TAB_RUN_KEY, id);
    this.autosaver.switchRun(id);
    return { ok: true, run: restored };
  }

  async remove(id: string): Promise<{ ok: true; runs: SavedRunSummary[] } | { ok: false; error: string }> {
    if (id === this.current.id) return { ok: false, error: 'This tab is on that run; it cannot delete it.' };
    const claim = await this.locks.claim(id);
    if (!claim) return { ok: false, error: 'That run is open in another tab; close it there before deleting it.' };
    try {
      await this.runs.remove(id);
    } finally {
      claim.release();
    }
    return { ok: true, runs: await offerOf(this.runs, this.locks, this.current.id) };
  }
}
