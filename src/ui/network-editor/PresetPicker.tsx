import { useId, useState } from 'react';
import { NETWORK_PRESETS, type NetworkPreset } from '../../engine';

/**
 * Chooses a ready-made definition. Loading puts its text into the editor; nothing changes
 * in the running session until "Change network". A separate button (rather than loading on
 * select) keeps arrowing through the list from replacing the editor's text.
 */
export function PresetPicker({ onLoad }: { onLoad(preset: NetworkPreset): void }) {
  const selectId = useId();
  const descriptionId = useId();
  const [name, setName] = useState(NETWORK_PRESETS[0]!.name);
  const preset = NETWORK_PRESETS.find((p) => p.name === name) ?? NETWORK_PRESETS[0]!;
  return (
    <div className="preset-picker">
      <label htmlFor={selectId}>Presets</label>
      <select
        id={selectId}
        value={name}
        aria-describedby={descriptionId}
        onChange={(e) => setName(e.target.value)}
      >
        {NETWORK_PRESETS.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="button" className="button" onClick={() => onLoad(preset)}>
        Load preset
      </button>
      <p id={descriptionId} className="preset-picker__description muted">
        {preset.description}
      </p>
    </div>
  );
}
