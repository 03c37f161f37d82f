import { useCallback } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { formatInteger } from '../common/format';
import { LayerPanel } from './LayerPanel';
import { useVisibleLayers } from './useVisibleLayers';
import './network-view.css';

/** One panel per layer, in order, refreshed a few times a second while on screen. */
export function NetworkView() {
  const network = useDashboard((s) => s.network);
  const inspectingUserImage = useDashboard((s) => s.userImage !== null);
  const actions = useDashboardActions();
  const report = useCallback((indices: number[]) => actions.setVisibleLayers(indices), [actions]);
  const observe = useVisibleLayers(report);

  return (
    <Card
      title="Network Visualization"
      className="network-card"
      actions={
        inspectingUserImage ? (
          <button type="button" className="button" onClick={() => actions.clearInspectedImage()}>
            Show training examples
          </button>
        ) : null
      }
    >
      <p className="muted">
        {inspectingUserImage
          ? 'Showing the activations of your image (gradients for its predicted class).'
          : 'Activations and gradients of the latest training example. Each picture is one channel, scaled from black (lowest value in the layer) to white (highest).'}
        {network ? ` ${network.layers.length} layers, ${formatInteger(network.totalParams)} parameters in all.` : ''}
      </p>
      {network ? (
        <div className="layer-list">
          {network.layers.map((layer) => (
            <LayerPanel key={`${layer.index}-${layer.type}`} layer={layer} observe={observe} />
          ))}
        </div>
      ) : (
        <p className="muted">The network appears once the training session has started.</p>
      )}
    </Card>
  );
}
