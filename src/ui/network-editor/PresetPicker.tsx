import { useEffect, useId, useMemo, useState } from 'react';
import { presetsFor, presetTargetOf, type NetworkPreset } from '../../engine';
import type { DatasetIdentity } from '../../training/protocol';

/** The select's value while the editor holds text that is no preset's. */
const CUSTOM = '';

/** The preset whose text the editor holds (ignoring spacing at line ends), if any. */
function presetOf(presets: readonly NetworkPreset[], text: string): NetworkPreset | undefined {
  const normalize = (t: string) => t.replace(/[ \t]+$/gm, '').trim();
  const wanted = normalize(text);
  return presets.find((p) => normalize(p.text) === wanted);
}

/**
 * Chooses a ready-made definition. Loading puts its text into the editor; nothing changes
 * in the running session until "Change network". A separate button (rather than loading on
 * select) keeps arrowing through the list from replacing the editor's text. Until a preset
 * is picked, the box names the preset the editor's text is, or "Custom" when it is none.
 */
export function PresetPicker({ text, dataset, onLoad }: { text: string; dataset: DatasetIdentity; onLoad(preset: NetworkPreset): void }) {
  // The presets that fit the dataset: MNIST's, ConvNetJS's CIFAR-10 network for 32x32 colour, generic ones otherwise.
  const presets = useMemo(() => presetsFor(presetTargetOf(dataset)), [dataset]);
  const selectId = useId();
  const descriptionId = useId();
  const [picked, setPicked] = useState<string | null>(null);
  // Any edit of the text makes the box describe the text again, not the last pick.
  useEffect(() => setPicked(null), [text]);
  // A pick from another dataset's list no longer names anything here.
  const pickedPreset = presets.find((p) => p.name === picked);
  const name = pickedPreset?.name ?? presetOf(presets, text)?.name ?? CUSTOM;
  const preset = presets.find((p) => p.name === name);
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
        {presets.map((p) => (
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
