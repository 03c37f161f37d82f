import { useEffect, useId, useState } from 'react';
import { NETWORK_PRESETS, type NetworkPreset } from '../../engine';

/** The select's value while the editor holds text that is no preset's. */
const CUSTOM = '';

/** The preset whose text the editor holds (ignoring spacing at line ends), if any. */
function presetOf(text: string): NetworkPreset | undefined {
  const normalize = (t: string) => t.replace(/[ \t]+$/gm, '').trim();
  const wanted = normalize(text);
  return NETWORK_PRESETS.find((p) => normalize(p.text) === wanted);
}

/**
 * Chooses a ready-made definition. Loading puts its text into the editor; nothing changes
 * in the running session until "Change network". A separate button (rather than loading on
 * select) keeps arrowing through the list from replacing the editor's text. Until a preset
 * is picked, the box names the preset the editor's text is, or "Custom" when it is none.
 */
export function PresetPicker({ text, onLoad }: { text: string; onLoad(preset: NetworkPreset): void }) {
  const selectId = useId();
  const descriptionId = useId();
  const [picked, setPicked] = useState<string | null>(null);
  // Any edit of the text makes the box describe the text again, not the last pick.
  useEffect(() => setPicked(null), [text]);
  const name = picked ?? presetOf(text)?.name ?? CUSTOM;
  const preset = NETWORK_PRESETS.find((p) => p.name === name);
  return (
    <div className="preset-picker">
      <label htmlFor={selectId}>Presets</label>
      <select
        id={selectId}
        value={name}
        aria-describedby={descriptionId}
        onChange={(e) => setPicked(e.target.value)}
      >
        {name === CUSTOM ? (
          <option value={CUSTOM} disabled>
            Custom
          </option>
        ) : null}
        {NETWORK_PRESETS.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="button" className="button" disabled={!preset} onClick={() => preset && onLoad(preset)}>
        Load preset
      </button>
      <p id={descriptionId} className="preset-picker__description muted">
        {preset ? preset.description : 'Your own definition; pick a preset to load one instead.'}
      </p>
    </div>
  );
}
