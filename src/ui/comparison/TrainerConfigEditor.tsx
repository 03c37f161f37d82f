import { useId, useState } from 'react';
import type { TrainerSpec } from '../../engine';
import { DraftInput, useDraft } from '../common/DraftInput';
import { FieldError } from '../common/ErrorNotice';
import { MethodField } from '../controls/MethodField';
import { LineSample } from './LineSample';
import { editTrainer, fieldsFor, RUN_STYLES, type TrainerEdit, type TrainerNumberSchema } from './trainer-configs';

interface TrainerConfigEditorProps {
  index: number;
  trainer: TrainerSpec;
  /** While a comparison runs, its configurations stay as they are. */
  disabled: boolean;
  canRemove: boolean;
  onChange(trainer: TrainerSpec): void;
  onRemove(): void;
}

/** One trainer configuration: the method and the options its update rule reads. */
export function TrainerConfigEditor({ index, trainer, disabled, canRemove, onChange, onRemove }: TrainerConfigEditorProps) {
  const [methodError, setMethodError] = useState<string | null>(null);
  const style = RUN_STYLES[index % RUN_STYLES.length]!;
  const name = `Trainer ${index + 1}`;

  return (
    <fieldset className="comparison-config" disabled={disabled}>
      <legend>
        <LineSample color={style.color} dash={style.dash} />
        {name}
      </legend>
      <div className="comparison-config__fields">
        <MethodField
          value={trainer.method}
          error={methodError}
          onChange={(method) => {
            const edit = editTrainer(trainer, 'method', method);
            setMethodError(edit.ok ? null : edit.error);
            if (edit.ok) onChange(edit.trainer);
          }}
        />
        {fieldsFor(trainer.method).map((field) => (
          <ConfigNumberField
            key={`${trainer.method}-${field.name}`}
            field={field}
            value={trainer[field.name]}
            apply={(text) => {
              const edit = editTrainer(trainer, field.name, text);
              if (edit.ok) onChange(edit.trainer);
              return edit;
            }}
          />
        ))}
      </div>
      <button type="button" className="button comparison-config__remove" onClick={onRemove} disabled={disabled || !canRemove}>
        Remove <span className="visually-hidden">{name}</span>
      </button>
    </fieldset>
  );
}

interface ConfigNumberFieldProps {
  field: TrainerNumberSchema;
  value: number;
  apply(text: string): TrainerEdit;
}

/**
 * A number box that applies on Enter or when focus leaves; a refused value stays in the
 * box, marked, with the engine's reason, and the configuration keeps its old value.
 */
function ConfigNumberField({ field, value, apply }: ConfigNumberFieldProps) {
  const inputId = useId();
  const errorId = useId();
  const helpId = useId();
  const draft = useDraft();

  function commit() {
    if (draft.text === null) return;
    const edit = apply(draft.text);
    if (edit.ok) {
      draft.setText(null);
      draft.setError(null);
    } else {
      draft.setError(edit.error);
    }
  }

  return (
    <div className="field">
      <label htmlFor={inputId}>{field.label}</label>
      <DraftInput id={inputId} whole={field.kind === 'int'} draft={draft} shown={String(value)} errorId={errorId} helpId={helpId} onCommit={commit} />
      <span id={helpId} className="visually-hidden">
        {field.help}
      </span>
      <FieldError id={errorId} message={draft.error} />
    </div>
  );
}
