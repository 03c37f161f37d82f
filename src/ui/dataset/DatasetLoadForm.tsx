import { useId, useState, type DragEvent } from 'react';
import { useDashboard, useDashboardActions } from '../../state/store';
import type { DatasetLoadRequest, PickedFile } from '../../training/protocol';
import { droppedFiles, pickedFiles } from './picked-files';

type Format = DatasetLoadRequest['format'];

const FORMATS: { value: Format; label: string }[] = [
  { value: 'auto', label: 'Tell from the file names' },
  { value: 'idx', label: 'MNIST format (4 IDX files, raw or .gz)' },
  { value: 'images', label: 'My images (one folder per class)' },
  { value: 'cifar10', label: 'CIFAR-10 binary batches' },
];

const SIDES = [28, 32, 48, 64];

/**
 * Loading local files: by file picker, folder picker or drag and drop, with the options
 * each format takes. The files go to the dataset worker as soon as they are chosen.
 */
export function DatasetLoadForm() {
  const actions = useDashboardActions();
  const loading = useDashboard((s) => s.datasetPanel.status === 'loading');
  const ids = { format: useId(), name: useId(), classes: useId(), side: useId(), colour: useId(), files: useId(), folder: useId() };
  const [format, setFormat] = useState<Format>('auto');
  const [name, setName] = useState('');
  const [classNamesText, setClassNamesText] = useState('');
  const [imageSide, setImageSide] = useState(28);
  const [channels, setChannels] = useState<1 | 3>(1);
  const [dragging, setDragging] = useState(false);

  const load = (files: PickedFile[]) => {
    if (files.length === 0 || loading) return;
    void actions.loadDataset({ files, format, name: name.trim() || undefined, classNamesText, imageSide, channels });
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void droppedFiles(event.dataTransfer).then(load);
  };

  return (
    <fieldset className="dataset-load" disabled={loading}>
      <legend>Load your own</legend>
      <div className="dataset-load__options">
        <div className="field">
          <label htmlFor={ids.format}>Format</label>
          <select id={ids.format} value={format} onChange={(e) => setFormat(e.target.value as Format)}>
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.name}>Name (optional)</label>
          <input id={ids.name} type="text" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field dataset-load__wide">
          <label htmlFor={ids.classes}>Class names, MNIST format (optional; one a line or comma separated)</label>
          <textarea id={ids.classes} rows={2} value={classNamesText} onChange={(e) => setClassNamesText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.side}>Image size, my images</label>
          <select id={ids.side} value={imageSide} onChange={(e) => setImageSide(Number(e.target.value))}>
            {SIDES.map((side) => (
              <option key={side} value={side}>{`${side} x ${side}`}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.colour}>Colour, my images</label>
          <select id={ids.colour} value={channels} onChange={(e) => setChannels(Number(e.target.value) === 3 ? 3 : 1)}>
            <option value={1}>Gray</option>
            <option value={3}>Colour (RGB)</option>
          </select>
        </div>
      </div>
      <div
        className={dragging ? 'dataset-drop dataset-drop--over' : 'dataset-drop'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop the files, a folder or a .zip here, or pick them:</p>
        <div className="dataset-drop__pickers">
          <div className="field">
            <label htmlFor={ids.files}>Dataset files or a .zip</label>
            <input
              id={ids.files}
              type="file"
              multiple
              onChange={(e) => {
                load(pickedFiles(e.target.files ?? []));
                e.target.value = '';
              }}
            />
          </div>
          <div className="field">
            <label htmlFor={ids.folder}>A folder of class folders</label>
            <input
              id={ids.folder}
              type="file"
              // React has no typed prop for it; the attribute makes the picker choose a folder.
              {...{ webkitdirectory: '' }}
              onChange={(e) => {
                load(pickedFiles(e.target.files ?? []));
                e.target.value = '';
              }}
            />
          </div>
        </div>
      </div>
    </fieldset>
  );
}
