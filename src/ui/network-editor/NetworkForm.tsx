import { useEffect, useId, useMemo, useRef, useState, type DragEvent } from 'react';
import { LAYER_TYPES, type LayerType } from '../../engine';
import { checkModel } from './form-check';
import {
  addRow,
  moveRow,
  removeLayerField,
  removeRow,
  removeTrainerField,
  setLayerField,
  setLayerType,
  setTrainerField,
  type NetworkFormModel,
} from './form-model';
import { LayerRowEditor, type RowControl } from './LayerRowEditor';
import { TrainerFieldset } from './TrainerFieldset';

interface NetworkFormProps {
  model: NetworkFormModel;
  onChange(model: NetworkFormModel): void;
}

/** A control to focus once React has put the rows in their new order. */
type FocusRequest = { rowId: number; control: RowControl } | { addButton: true };

/**
 * The definition as a form: a row per layer definition (reorder with the arrow buttons or
 * by dragging the handle), a way to add layers, and the trainer options. Every edit is
 * checked by the engine at once; its messages appear on the row they are about.
 */
export function NetworkForm({ model, onChange }: NetworkFormProps) {
  const rootRef = useRef<HTMLDivElement>(null);
  const newTypeId = useId();
  const [newType, setNewType] = useState<LayerType>('conv');
  const [announcement, setAnnouncement] = useState('');
  const focusRequest = useRef<FocusRequest | null>(null);
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropIndex, setDropIndex] = useState<number | null>(null);
  const check = useMemo(() => checkModel(model), [model]);

  useEffect(() => {
    const request = focusRequest.current;
    const root = rootRef.current;
    if (request === null || root === null) return;
    focusRequest.current = null;
    if ('addButton' in request) {
      root.querySelector<HTMLElement>('[data-control="add"]')?.focus();
      return;
    }
    const row = root.querySelector(`[data-row-id="${request.rowId}"]`);
    const wanted = row?.querySelector<HTMLButtonElement | HTMLSelectElement>(`[data-control="${request.control}"]`);
    // A row moved to the top or bottom has that arrow disabled: keep focus on the other one.
    const other = request.control === 'up' ? 'down' : request.control === 'down' ? 'up' : null;
    const target =
      wanted && !wanted.disabled ? wanted : other ? row?.querySelector<HTMLElement>(`[data-control="${other}"]`) : null;
    target?.focus();
  });

  function move(from: number, to: number, control: RowControl | null) {
    const row = model.rows[from];
    if (!row || to < 0 || to >= model.rows.length || from === to) return;
    if (control !== null) focusRequest.current = { rowId: row.id, control };
    onChange(moveRow(model, from, to));
    setAnnouncement(`Moved layer ${from} (${row.type}) to position ${to}.`);
  }

  function remove(index: number) {
    const row = model.rows[index]!;
    const neighbour = model.rows[index + 1] ?? model.rows[index - 1];
    focusRequest.current = neighbour ? { rowId: neighbour.id, control: 'remove' } : { addButton: true };
    onChange(removeRow(model, row.id));
    setAnnouncement(`Removed layer ${index} (${row.type}).`);
  }

  function add() {
    const result = addRow(model, newType);
    focusRequest.current = { rowId: result.rowId, control: 'type' };
    onChange(result.model);
    const at = result.model.rows.findIndex((r) => r.id === result.rowId);
    setAnnouncement(`Added a ${newType} layer at position ${at}.`);
  }

  function dragOver(index: number, event: DragEvent) {
    if (dragFrom === null) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    if (dropIndex !== index) setDropIndex(index);
  }

  function drop(index: number, event: DragEvent) {
    event.preventDefault();
    const from = dragFrom;
    setDragFrom(null);
    setDropIndex(null);
    if (from !== null) move(from, index, null);
  }

  return (
    <div className="network-form" ref={rootRef}>
      <ol className="network-form__rows" aria-label="Layers">
        {model.rows.map((row, index) => (
          <LayerRowEditor
            key={row.id}
            row={row}
            index={index}
            count={model.rows.length}
            check={check.rows[index]}
            dropTarget={dropIndex === index && dragFrom !== index}
            onTypeChange={(type) => onChange(setLayerType(model, row.id, type))}
            onFieldChange={(name, text) => onChange(setLayerField(model, row.id, name, text))}
            onFieldRemove={(name) => onChange(removeLayerField(model, row.id, name))}
            onMove={(to, control) => move(index, to, control)}
            onRemove={() => remove(index)}
            onDragStart={(event) => {
              setDragFrom(index);
              event.dataTransfer.effectAllowed = 'move';
              // Firefox starts a drag only when some data is set.
              event.dataTransfer.setData('text/plain', String(index));
            }}
            onDragOver={(event) => dragOver(index, event)}
            onDrop={(event) => drop(index, event)}
            onDragEnd={() => {
              setDragFrom(null);
              setDropIndex(null);
            }}
          />
        ))}
      </ol>
      <div className="network-form__add">
        <label htmlFor={newTypeId}>New layer type</label>
        <select id={newTypeId} value={newType} onChange={(e) => setNewType(e.target.value as LayerType)}>
          {LAYER_TYPES.map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </select>
        <button type="button" className="button" data-control="add" onClick={add}>
          Add layer
        </button>
        <span className="muted">added before the loss layer</span>
      </div>
      {check.general.map((issue, i) => (
        <p key={i} className="layer-row__issue">
          {issue.message}
        </p>
      ))}
      <TrainerFieldset
        entries={model.trainer}
        issues={check.trainer}
        onFieldChange={(name, text) => onChange(setTrainerField(model, name, text))}
        onFieldRemove={(name) => onChange(removeTrainerField(model, name))}
      />
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
    </div>
  );
}
