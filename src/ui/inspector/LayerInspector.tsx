/**
 * One layer up close: every channel enlarged with a cursor that reads values, each conv
 * filter beside the channel it produces, the receptive field of the cursor on the input,
 * class scores for 1x1 layers, statistics and histograms of activations, gradients and
 * weights, and the layer's weight norm, gradient norm and update ratio over the run.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import type { LayerView, LayerSummary } from '../../training/protocol';
import { formatNumber, formatShape } from '../common/format';
import { RgbCanvas } from '../common/RgbCanvas';
import { INPUT_COLOUR_RANGE } from '../common/rgb';
import { ChannelMaps, inspectorScale, type Cursor } from './ChannelMaps';
import { closeLayerInspector, openLayerInspector } from './inspector-url';
import { ReceptiveFieldView } from './ReceptiveFieldView';
import { ScoreBars } from './ScoreBars';
import { TrainingHealthCharts } from './TrainingHealthCharts';
import { useInspectorViews, useLayerTrainingHistory } from './useInspectorData';
import { ValueStatsTable } from './ValueStatsTable';
import './inspector.css';

/** `conv (24x24x8)`, as the overview titles its panels. */
export function inspectorTitle(layer: LayerSummary): string {
  return `${layer.type} (${formatShape(layer.out)})`;
}

export function LayerInspector({ index }: { index: number }) {
  const network = useDashboard((s) => s.network);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const layers = network?.layers ?? [];
  const layer = layers[index] ?? null;

  // Keyboard users land in the inspector when it opens or moves to another layer (in the
  // commit itself, so no key press can slip in between).
  useLayoutEffect(() => {
    headingRef.current?.focus();
  }, [index]);

  // Esc closes from inside the inspector or from nowhere in particular (focus on the page),
  // but not from another panel's field, where Esc may mean something else.
  const sectionRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      const target = event.target as Node | null;
      const inside = target !== null && sectionRef.current?.contains(target);
      if (!inside && target !== document.body && target !== document.documentElement) return;
      event.preventDefault();
      closeLayerInspector();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  const title = layer ? `Layer ${index}: ${inspectorTitle(layer)}` : `Layer ${index}`;
  return (
    <section className="card inspector" aria-label="Layer inspector" ref={sectionRef}>
      <header className="card__header inspector__header">
        <h2 ref={headingRef} tabIndex={-1}>
          {title}
        </h2>
        <div className="card__actions">
          <button type="button" className="button" disabled={!layer || index === 0} onClick={() => openLayerInspector(index - 1)}>
            Previous layer
          </button>
          <button
            type="button"
            className="button"
            disabled={!layer || index >= layers.length - 1}
            onClick={() => openLayerInspector(index + 1)}
          >
            Next layer
          </button>
          <FreezeToggle />
          <button type="button" className="button" onClick={() => closeLayerInspector()}>
            Close
          </button>
        </div>
      </header>
      {!network ? (
        <p className="muted">The layers appear once the training session has started.</p>
      ) : !layer ? (
        <p className="muted">
          This network has no layer {index} (it has {layers.length}, numbered 0 to {layers.length - 1}).
        </p>
      ) : (
        <InspectorBody key={`${index}-${layer.type}`} layers={layers} layer={layer} />
      )}
    </section>
  );
}

function FreezeToggle() {
  const frozen = useDashboard((s) => s.exampleFrozen);
  const hasUserImage = useDashboard((s) => s.userImage !== null);
  const actions = useDashboardActions();
  return (
    <button
      type="button"
      className="button"
      aria-pressed={frozen}
      disabled={hasUserImage}
      title={hasUserImage ? 'The views show your image; show training examples to freeze one.' : undefined}
      onClick={() => void actions.freezeExample(!frozen)}
    >
      Freeze example
    </button>
  );
}

/** True when the view was taken of a volume of this layer's output shape. */
function fits(view: LayerView | null, layer: LayerSummary): view is LayerView {
  return view !== null && view.activations.length === layer.out.sx * layer.out.sy * layer.out.depth;
}

function InspectorBody({ layers, layer }: { layers: readonly LayerSummary[]; layer: LayerSummary }) {
  const views = useInspectorViews(layer.index, layers.length);
  const frozen = useDashboard((s) => s.exampleFrozen);
  const hasUserImage = useDashboard((s) => s.userImage !== null);
  const readoutId = useId();
  const [cursor, setCursor] = useState<Cursor>({ x: 0, y: 0, channel: 0 });
  const [announcement, setAnnouncement] = useState('');
  const view = fits(views.layer, layer) ? views.layer : null;
  const input = fits(views.input, layers[0]!) ? views.input : null;
  const { sx, sy, depth } = layer.out;
  const spatial = sx > 1 || sy > 1;
  const hasWeights = layer.type === 'conv' || layer.type === 'fc';
  const lastLayers = layers.length - layer.index <= 2;
  const classNames = useDashboard((s) => s.dataset.classNames);
  const classScores = lastLayers && depth === classNames.length;
  const readout = (c: Cursor, s: LayerView) => {
    const i = (sx * c.y + c.x) * depth + c.channel;
    return `Value ${formatNumber(s.activations[i])} (gradient ${formatNumber(s.activationGrads[i])}) at (x ${c.x}, y ${c.y}, channel ${c.channel})`;
  };
  // Screen readers hear the value when the cursor moves, not at every refresh while training.
  const moveCursor = (next: Cursor) => {
    setCursor(next);
    if (view) setAnnouncement(readout(next, view));
  };

  const showing = hasUserImage
    ? 'Showing your image (gradients for its predicted class).'
    : frozen
      ? 'Frozen on one training example: the views show it through the current weights.'
      : 'Showing the latest training example.';

  return (
    <div className="inspector__body">
      <p className="muted">{showing}</p>
      <p id={readoutId} className="inspector-readout">
        {view ? readout(cursor, view) : 'Waiting for the first snapshot…'}
      </p>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {view ? (
        <div className="inspector__views">
          {spatial ? (
            <div className="inspector-maps">
              {layer.index === 0 && depth === 3 ? (
                // A colour input is first shown as the picture it is; its channel maps follow for reading values.
                <figure className="inspector-colour">
                  <RgbCanvas
                    values={view.activations}
                    width={sx}
                    height={sy}
                    scale={inspectorScale(sx, sy)}
                    range={INPUT_COLOUR_RANGE}
                    label="The input example in colour"
                  />
                  <figcaption>in colour; its red, green and blue channels follow</figcaption>
                </figure>
              ) : null}
              <ChannelMaps
                layer={layer}
                activations={view.activations}
                weights={layer.type === 'conv' ? view.weights : null}
                cursor={cursor}
                onCursor={moveCursor}
                readoutId={readoutId}
              />
            </div>
          ) : (
            <ScoreBars
              values={view.activations}
              unit={classScores ? 'class' : 'neuron'}
              classNames={classNames}
              current={cursor.channel}
              onCurrent={(channel) => moveCursor({ x: 0, y: 0, channel })}
              label={classScores ? 'Class scores' : `Values of the ${depth} neurons`}
              readoutId={readoutId}
            />
          )}
          {input && layer.index > 0 ? (
            <ReceptiveFieldView layers={layers} layerIndex={layer.index} x={cursor.x} y={cursor.y} input={input.activations} />
          ) : null}
        </div>
      ) : null}
      {view ? (
        <ValueStatsTable
          rows={[
            { name: 'Activations', values: view.activations },
            { name: 'Activation gradients', values: view.activationGrads },
            { name: 'Weights', values: hasWeights ? view.weights : null },
            { name: 'Weight gradients', values: hasWeights ? view.weightGrads : null },
          ]}
        />
      ) : null}
      <section className="inspector__over-time" aria-label="Training health over time">
        <h3>Over the run</h3>
        {hasWeights ? (
          <LayerHealth layerIndex={layer.index} />
        ) : (
          <p className="muted">This layer has no weights, so there are no norms to follow.</p>
        )}
      </section>
    </div>
  );
}

/** Fetches the history only for layers that have weights to follow. */
function LayerHealth({ layerIndex }: { layerIndex: number }) {
  const history = useLayerTrainingHistory();
  return <TrainingHealthCharts history={history} layerIndex={layerIndex} />;
}
