import { useId, type DragEvent } from 'react';
import { LAYER_TYPES } from '../../engine';
import { formatInteger, formatShape } from '../common/format';
import { FieldBox, IssueMessages, UnknownFieldBoxes } from './FieldBox';
import type { RowCheck } from './form-check';
import { layerFieldSchemas, shownLayerFields, unknownFields, type LayerRow } from './form-model';

export type RowControl = 'type' | 'up' | 'down' | 'remove';

interface LayerRowEditorProps {
  row: LayerRow;
  index: number;
  count: number;
  check: RowCheck | undefined;
  /** Another row is being dragged over this one. */
  dropTarget: boolean;
  onTypeChange(type: string): void;
  onFieldChange(name: string, text: string): void;
  onFieldRemove(name: string): void;
  onMove(to: number, control: RowControl): void;
  onRemove(): void;
  onDragStart(event: DragEvent): void;
  onDragOver(event: DragEvent): void;
  onDrop(event: DragEvent): void;
  onDragEnd(): void;
}

/**
 * One layer definition of the form: its type, that type's fields, what it becomes (output
 * shape and parameters, live) and the engine's complaints about it. Numbered from 0 like
 * the engine's messages ("layer 2 (conv): ..."), so a message points at its row.
 */
export function LayerRowEditor({
  row,
  index,
  count,
  check,
  dropTarget,
  onTypeChange,
  onFieldChange,
  onFieldRemove,
  onMove,
  onRemove,
  onDragStart,
  onDragOver,
  onDrop,
  onDragEnd,
}: LayerRowEditorProps) {
  const typeId = useId();
  const issueId = useId();
  const issues = check?.issues ?? [];
  const invalid = issues.length > 0;
  const fieldIssueIds = (name: string) =>
    issues
      .map((issue, i) => (issue.field === name ? `${issueId}-${i}` : null))
      .filter((id): id is string => id !== null)
      .join(' ') || undefined;
  const rowIssueIds = issues.map((_, i) => `${issueId}-${i}`).join(' ') || undefined;
  const known = layerFieldSchemas(row.type);
  const unknownType = !LAYER_TYPES.includes(row.type as (typeof LAYER_TYPES)[number]);
  const entryText = (name: string) => row.fields.find((e) => e.name === name)?.text ?? '';

  return (
    <li
      className={`layer-row${invalid ? ' layer-row--invalid' : ''}${dropTarget ? ' layer-row--drop-target' : ''}`}
      data-row-id={row.id}
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <fieldset
        className="layer-row__box"
        aria-label={`Layer ${index} (${row.type})`}
        aria-invalid={invalid || undefined}
        aria-describedby={rowIssueIds}
      >
        <div className="layer-row__head">
          <span
            className="layer-row__handle"
            draggable
            aria-hidden="true"
            title="Drag to move this layer"
            onDragStart={onDragStart}
            onDragEnd={onDragEnd}
          >
            ⠿
          </span>
          <span className="layer-row__number" aria-hidden="true">
            {index}
          </span>
          <label className="visually-hidden" htmlFor={typeId}>
            Type
          </label>
          <select
            id={typeId}
            className="layer-row__type"
            data-control="type"
            value={row.type}
            aria-invalid={issues.some((issue) => issue.field === 'type') || undefined}
            aria-describedby={fieldIssueIds('type')}
            onChange={(e) => onTypeChange(e.target.value)}
          >
            {LAYER_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
            {unknownType ? <option value={row.type}>{row.type}</option> : null}
          </select>
          <RowResult check={check} index={index} />
          <div className="layer-row__actions">
            <button
              type="button"
              className="icon-button"
              data-control="up"
              aria-label="Move up"
              title="Move up"
              disabled={index === 0}
              onClick={() => onMove(index - 1, 'up')}
            >
              ↑
            </button>
            <button
              type="button"
              className="icon-button"
              data-control="down"
              aria-label="Move down"
              title="Move down"
              disabled={index === count - 1}
              onClick={() => onMove(index + 1, 'down')}
            >
              ↓
            </button>
            <button
              type="button"
              className="icon-button icon-button--danger"
              data-control="remove"
              aria-label="Remove layer"
              title="Remove layer"
              onClick={onRemove}
            >
              ✕
            </button>
          </div>
        </div>
        <div className="layer-row__fields">
          {shownLayerFields(row).map((field) => (
            <FieldBox
              key={field.name}
              label={field.name}
              schema={field}
              text={entryText(field.name)}
              placeholder={field.required ? 'required' : 'default'}
              emptyChoice="none"
              invalid={issues.some((issue) => issue.field === field.name)}
              describedBy={fieldIssueIds(field.name)}
              onChange={(text) => onFieldChange(field.name, text)}
            />
          ))}
          <UnknownFieldBoxes
            entries={unknownFields(row.fields, known)}
            kind="field"
            invalid={(name) => issues.some((issue) => issue.field === name)}
            describedBy={fieldIssueIds}
            onChange={onFieldChange}
            onRemove={onFieldRemove}
          />
        </div>
        <IssueMessages issues={issues} idPrefix={issueId} />
      </fieldset>
    </li>
  );
}

function RowResult({ check, index }: { check: RowCheck | undefined; index: number }) {
  if (!check || check.out === null) {
    const blocker = check?.blockedBy;
    const until = blocker === null || blocker === undefined || blocker === index ? '' : ` until layer ${blocker} is fixed`;
    return <span className="layer-row__result layer-row__result--unknown">output unknown{until}</span>;
  }
  const becomes = check.layers.length > 1 ? ` (${check.layers.map((l) => l.type).join(' + ')})` : '';
  return (
    <span className="layer-row__result">
      {formatShape(check.out)}
      {' · '}
      {formatInteger(check.params)} params{becomes}
    </span>
  );
}
