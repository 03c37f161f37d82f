/**
 * The network's place on the page: the overview (layer panels) with a row of "inspect"
 * buttons, or, when the URL names a layer, that layer's inspector in its stead. The
 * inspector's code (and recharts) loads on first use only.
 */
import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import { formatShape } from '../common/format';
import { openLayerInspector, useInspectedLayer } from './inspector-url';
import './inspector.css';

const LayerInspector = lazy(() => import('./LayerInspector').then((m) => ({ default: m.LayerInspector })));

export function NetworkOverview({ children }: { children: ReactNode }) {
  const inspected = useInspectedLayer();
  const previous = useRef<number | null>(null);
  const returnTo = previous.current !== null && inspected === null ? previous.current : null;
  useEffect(() => {
    previous.current = inspected;
  }, [inspected]);

  if (inspected !== null) {
    return (
      <Suspense fallback={<p className="muted">Opening the layer inspector…</p>}>
        <LayerInspector index={inspected} />
      </Suspense>
    );
  }
  return (
    <>
      <InspectLauncher returnTo={returnTo} />
      {children}
    </>
  );
}

/** One button per layer; after the inspector closes, focus goes back to the layer's button. */
function InspectLauncher({ returnTo }: { returnTo: number | null }) {
  const network = useDashboard((s) => s.network);
  const frozen = useDashboard((s) => s.exampleFrozen);
  const actions = useDashboardActions();
  const buttons = useRef(new Map<number, HTMLButtonElement>());
  useEffect(() => {
    if (returnTo !== null) buttons.current.get(returnTo)?.focus();
  }, [returnTo]);
  if (!network) return null;
  return (
    <nav className="inspector-launcher" aria-label="Layer inspector">
      <span className="inspector-launcher__label">Inspect a layer:</span>
      {network.layers.map((layer) => {
        const text = `${layer.index}: ${layer.type} (${formatShape(layer.out)})`;
        return (
          <button
            key={layer.index}
            type="button"
            className="button"
            aria-label={`Inspect layer ${text}`}
            ref={(el) => {
              if (el) buttons.current.set(layer.index, el);
              else buttons.current.delete(layer.index);
            }}
            onClick={() => openLayerInspector(layer.index)}
          >
            {text}
          </button>
        );
      })}
      {frozen ? (
        // The freeze reaches the panels too; say so here, where the inspector's toggle is not.
        <span className="inspector-launcher__frozen">
          The views are frozen on one training example.{' '}
          <button type="button" className="button" onClick={() => void actions.freezeExample(false)}>
            Unfreeze
          </button>
        </span>
      ) : null}
    </nav>
  );
}
