import { memo, useCallback, useId, useMemo } from 'react';
import type { LayerSnapshot, LayerSummary } from '../../training/protocol';
import { useDashboard } from '../../state/store';
import { GrayscaleCanvas } from '../common/GrayscaleCanvas';
import { valueRange } from '../common/grayscale';
import { formatNumber, formatShape } from '../common/format';
import { filterMaps, showsWeights, volumeMaps, type LayerMap } from './layer-maps';

/** `conv (24x24x8)`, as the original demo titles its panels. */
export function layerTitle(layer: LayerSummary): string {
  return `${layer.type} (${formatShape(layer.out)})`;
}

/** "filter size 5x5x1, stride 1" or "pooling size 2x2, stride 2" (the original's wording); null for other layers. */
export function windowLine(layer: LayerSummary): string | null {
  if (layer.window === null) return null;
  const { sx, sy, stride } = layer.window;
  if (layer.type === 'conv') return `filter size ${sx}x${sy}x${layer.in.depth}, stride ${stride}`;
  return `pooling size ${sx}x${sy}, stride ${stride}`;
}

interface LayerPanelProps {
  layer: LayerSummary;
  /** The panel element is handed out so the view can watch whether it is on screen. */
  observe(element: HTMLElement | null, index: number): void;
}

/** One layer: its shape and numbers, and pictures of every channel of the last example. */
export const LayerPanel = memo(function LayerPanel({ layer, observe }: LayerPanelProps) {
  const titleId = useId();
  const snapshot = useDashboard((s) => s.layerSnapshots[layer.index] ?? null);
  const windowText = windowLine(layer);
  // Stable, so re-renders on every snapshot do not detach and re-attach the observer.
  const panelRef = useCallback((el: HTMLElement | null) => observe(el, layer.index), [observe, layer.index]);

  return (
    <article className="layer-panel" aria-labelledby={titleId} ref={panelRef}>
      <div className="layer-panel__info">
        <h3 id={titleId}>{layerTitle(layer)}</h3>
        {windowText ? <p>{windowText}</p> : null}
        {layer.window && layer.window.pad > 0 ? <p>padding {layer.window.pad}</p> : null}
        <p>
          max activation: {rangeText(snapshot?.activationRange.max)}, min: {rangeText(snapshot?.activationRange.min)}
        </p>
        <p>
          max gradient: {rangeText(snapshot?.gradientRange.max)}, min: {rangeText(snapshot?.gradientRange.min)}
        </p>
        {layer.paramFormula ? <p>parameters: {layer.paramFormula}</p> : null}
      </div>
      <div className="layer-panel__maps">
        {snapshot ? <LayerMaps layer={layer} snapshot={snapshot} /> : <p className="muted">Waiting for the first snapshot…</p>}
      </div>
    </article>
  );
});

function rangeText(value: number | undefined): string {
  return value === undefined ? '–' : formatNumber(value);
}

function LayerMaps({ layer, snapshot }: { layer: LayerSummary; snapshot: LayerSnapshot }) {
  return (
    <>
      <MapGroup
        title="Activations"
        maps={volumeMaps(layer, snapshot.activations)}
        range={snapshot.activationRange}
      />
      <MapGroup
        title="Activation gradients"
        maps={volumeMaps(layer, snapshot.activationGrads)}
        range={snapshot.gradientRange}
      />
      {layer.type === 'conv' ? <WeightMaps layer={layer} snapshot={snapshot} /> : null}
      {layer.type === 'fc' ? <p className="muted">Weights of fully connected layers are not drawn.</p> : null}
    </>
  );
}

/** All maps of one volume share the layer-wide range, so channels can be compared by eye. */
function MapGroup({ title, maps, range }: { title: string; maps: LayerMap[]; range?: { min: number; max: number } }) {
  return (
    <figure className="map-group">
      <figcaption>{title}</figcaption>
      <div className="map-group__maps">
        {maps.map(({ key, ...map }) => (
          <GrayscaleCanvas key={key} {...map} range={range} />
        ))}
      </div>
    </figure>
  );
}

function WeightMaps({ layer, snapshot }: { layer: LayerSummary; snapshot: LayerSnapshot }) {
  if (!showsWeights(layer)) {
    return <p className="muted">Filters of 3x3 or smaller are not drawn; they are too small to read.</p>;
  }
  if (!snapshot.weights || !snapshot.weightGrads) return null;
  return (
    <>
      <FilterGroup title="Weights" layer={layer} values={snapshot.weights} />
      <FilterGroup title="Weight gradients" layer={layer} values={snapshot.weightGrads} />
    </>
  );
}

/** Each filter is scaled to its own range (over all its input channels), as ConvNetJS drew them. */
function FilterGroup({ title, layer, values }: { title: string; layer: LayerSummary; values: Float32Array }) {
  const maps = useMemo(() => filterMaps(layer, values), [layer, values]);
  const ranges = useMemo(() => {
    const size = layer.window ? layer.window.sx * layer.window.sy * layer.in.depth : 0;
    return Array.from({ length: layer.filters ?? 0 }, (_, f) => valueRange(values, f * size, (f + 1) * size));
  }, [layer, values]);
  return (
    <figure className="map-group">
      <figcaption>{title}</figcaption>
      <div className="map-group__maps">
        {ranges.map((range, f) => (
          // One tile per filter holding its input channels side by side.
          <span className="filter-tile" key={f}>
            {maps
              .filter((m) => m.filter === f)
              .map(({ key, filter: _filter, ...map }) => (
                <GrayscaleCanvas key={key} {...map} range={range} />
              ))}
          </span>
        ))}
      </div>
    </figure>
  );
}
