import { useEffect, useId, useRef, useState } from 'react';
import type { TrainerSpec } from '../../engine';
import { DraftInput, useDraft } from '../common/DraftInput';
import { FieldError } from '../common/ErrorNotice';
import { MethodField } from '../controls/MethodField';
import { parseFieldText } from '../controls/trainer-form-fields';
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
  /** A field's refusal (null once it is fixed or gone), so Start can wait until every box holds a valid value. */
  onFieldError(field: string, error: string | null): void;
}

/** One trainer configuration: the method and the options its update rule reads. */
export function TrainerConfigEditor({ index, trainer, disabled, canRemove, onChange, onRemove, onFieldError }: TrainerConfigEditorProps) {
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
            onError={(error) => onFieldError(field.label, error)}
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
  onError(error: string | null): void;
}

/**
 * A number box that applies on Enter or when focus leaves; a refused value stays in the
 * box, marked, with the same reason the live trainer form gives, and the configuration
 * keeps its old value.
 */
function ConfigNumberField({ field, value, apply, onError }: ConfigNumberFieldProps) {
  const inputId = useId();
  const errorId = useId();
  const helpId = useId();
  const draft = useDraft();
  const report = useRef(onError);
  report.current = onError;
  useEffect(() => report.current(draft.error), [draft.error]);
  // A box that goes away (another method, a removed trainer) takes its refusal with it.
  useEffect(() => () => report.current(null), []);

  function commit() {
    if (draft.text === null) return;
    const parsed = parseFieldText(field, draft.text);
    if (!parsed.ok) {
      draft.setError(parsed.error);
      return;
    }
    const edit = apply(String(parsed.value));
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
