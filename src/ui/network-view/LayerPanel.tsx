import { memo, useCallback, useId, useMemo, type MouseEvent } from 'react';
import type { LayerView, LayerSummary } from '../../training/protocol';
import { useDashboard } from '../../state/store';
import { MosaicCanvas } from '../common/MosaicCanvas';
import { RgbCanvas } from '../common/RgbCanvas';
import { INPUT_COLOUR_RANGE } from '../common/rgb';
import type { Mosaic } from '../common/grayscale';
import { formatNumber } from '../common/format';
import { openLayerInspector } from '../inspector/inspector-url';
import { filterMosaic, layerTitle, mosaicLabel, showsWeights, SPATIAL_SCALE, volumeMosaic, type MapGroupKind } from './layer-maps';
import './network-view.css';

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

/** Elements inside a panel that handle their own clicks and keys; the panel leaves those alone. */
const OWN_CONTROLS = 'a, button, input, select, textarea, summary, label, [role="button"], [tabindex]';

/** A click on the panel itself, not on a control inside it, nor the end of selecting its text. */
function isPanelClick(event: MouseEvent<HTMLElement>): boolean {
  const control = (event.target as Element).closest(OWN_CONTROLS);
  if (control && control !== event.currentTarget) return false;
  const selection = window.getSelection();
  return !selection || selection.isCollapsed || !event.currentTarget.contains(selection.anchorNode);
}

/**
 * One layer: its shape and numbers, and pictures of every channel of the last example.
 * Clicking it opens that layer's inspector. It is not a tab stop: the "Inspect layer"
 * buttons above the panels open the same inspector, so each layer is one stop, not two.
 */
export const LayerPanel = memo(function LayerPanel({ layer, observe }: LayerPanelProps) {
  const titleId = useId();
  const view = useDashboard((s) => s.layerViews[layer.index] ?? null);
  const windowText = windowLine(layer);
  // Stable, so re-renders on every view do not detach and re-attach the observer.
  const panelRef = useCallback((el: HTMLElement | null) => observe(el, layer.index), [observe, layer.index]);

  return (
    <article
      className="layer-panel layer-panel--opens-inspector"
      aria-labelledby={titleId}
      title="Click to inspect this layer"
      ref={panelRef}
      onClick={(event) => {
        if (isPanelClick(event)) openLayerInspector(layer.index);
      }}
    >
      <div className="layer-panel__info">
        <h3 id={titleId}>{layerTitle(layer)}</h3>
        {windowText ? <p>{windowText}</p> : null}
        {layer.window && layer.window.pad > 0 ? <p>padding {layer.window.pad}</p> : null}
        <p>
          max activation: {rangeText(view?.activationRange.max)}, min: {rangeText(view?.activationRange.min)}
        </p>
        <p>
          max gradient: {rangeText(view?.gradientRange.max)}, min: {rangeText(view?.gradientRange.min)}
        </p>
        {layer.paramFormula ? <p>parameters: {layer.paramFormula}</p> : null}
      </div>
      <div className="layer-panel__maps">
        {/* Drawn as empty frames until the first view, so the panel never changes size:
            a page that grows as pictures arrive would pull other panels into view and back. */}
        <LayerMaps layer={layer} view={view} />
      </div>
    </article>
  );
});

function rangeText(value: number | undefined): string {
  return value === undefined ? '–' : formatNumber(value);
}

/** The layouts depend only on the layer's shape, so they are built once per layer. */
function LayerMaps({ layer, view }: { layer: LayerSummary; view: LayerView | null }) {
  const volume = useMemo(() => volumeMosaic(layer), [layer]);
  return (
    <>
      <div className="map-row">
        {(
          [
            { title: 'Activations', kind: 'activations', values: view?.activations, range: view?.activationRange },
            { title: 'Activation gradients', kind: 'activation gradients', values: view?.activationGrads, range: view?.gradientRange },
          ] as const
        ).map(({ title, kind, values, range }) => (
          <MapGroup key={kind} title={title} kind={kind} layer={layer} mosaic={volume} values={values ?? null} min={range?.min} max={range?.max} />
        ))}
      </div>
      {layer.type === 'input' && layer.out.depth === 3 ? <InputInColour layer={layer} view={view} /> : null}
      {layer.type === 'conv' ? <WeightMaps layer={layer} view={view} /> : null}
      {layer.type === 'fc' ? <p className="muted">Weights of fully connected layers are not drawn.</p> : null}
    </>
  );
}

interface MapGroupProps {
  title: string;
  kind: MapGroupKind;
  layer: LayerSummary;
  mosaic: Mosaic;
  /** Null until the first view: the frames show, empty. */
  values: Float32Array | null;
  /** A range for every tile (activations: the whole layer's, as ConvNetJS); omitted for weights. */
  min?: number;
  max?: number;
}

/** One group of maps: a caption over a single mosaic canvas. */
function MapGroup({ title, kind, layer, mosaic, values, min, max }: MapGroupProps) {
  return (
    <figure className="map-group">
      <figcaption>{title}</figcaption>
      <MosaicCanvas mosaic={mosaic} values={values} min={min} max={max} label={mosaicLabel(layer, kind)} />
    </figure>
  );
}

/** A colour input as the picture it is, beside its three channel maps; mid-gray until the first view. */
function InputInColour({ layer, view }: { layer: LayerSummary; view: LayerView | null }) {
  const { sx, sy } = layer.out;
  const blank = useMemo(() => new Float32Array(sx * sy * 3), [sx, sy]);
  return (
    <div className="map-row">
      <figure className="map-group">
        <figcaption>In colour</figcaption>
        <RgbCanvas
          values={view?.activations ?? blank}
          width={sx}
          height={sy}
          scale={SPATIAL_SCALE}
          range={INPUT_COLOUR_RANGE}
          label={`${layerTitle(layer)} activations in colour`}
        />
      </figure>
    </div>
  );
}

function WeightMaps({ layer, view }: { layer: LayerSummary; view: LayerView | null }) {
  const filters = useMemo(() => filterMosaic(layer), [layer]);
  if (!showsWeights(layer)) {
    return <p className="muted">Filters of 3x3 or smaller are not drawn; they are too small to read.</p>;
  }
  // No shared range: each filter is scaled to its own, as ConvNetJS drew them.
  return (
    <div className="map-row">
      <MapGroup title="Weights" kind="weights" layer={layer} mosaic={filters} values={view?.weights ?? null} />
      <MapGroup title="Weight gradients" kind="weight gradients" layer={layer} mosaic={filters} values={view?.weightGrads ?? null} />
    </div>
  );
}
