import { useId, useState } from 'react';
import type { ActionResult } from '../../training/protocol';
import { DraftInput } from '../common/DraftInput';
import { FieldError } from '../common/ErrorNotice';
import { formatFieldValue, parseFieldText, type FormNumberField } from './trainer-form-fields';

interface TrainerNumberFieldProps extends FormNumberField {
  /** The value in force; undefined while there is no network yet. */
  value: number | undefined;
  /** Whether the current method reads this option at all. */
  used: boolean;
  method: string;
  apply(value: number): Promise<ActionResult>;
}

/**
 * A number box that shows the value in force, applies an edit on Enter or when focus
 * leaves, and refuses an invalid edit with a message next to it (nothing is sent).
 */
export function TrainerNumberField({ schema, label, value, used, method, apply }: TrainerNumberFieldProps) {
  const inputId = useId();
  const helpId = useId();
  const errorId = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /**
   * After an accepted edit, keep showing what was typed until the store reports a new
   * value in force, so the box does not flash back to the old one in between.
   */
  const [accepted, setAccepted] = useState<{ text: string; previous: number | undefined } | null>(null);

  const shown =
    draft ??
    (accepted && accepted.previous === value ? accepted.text : value === undefined ? '' : formatFieldValue(value));

  async function commit() {
    if (draft === null) return;
    const parsed = parseFieldText(schema, draft);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    const text = draft;
    // Cleared before awaiting, so a blur right after Enter does not send the change twice.
    setDraft(null);
    setError(null);
    setAccepted({ text, previous: value });
    const result = await apply(parsed.value);
    if (!result.ok) {
      setAccepted(null);
      setDraft(text);
      setError(result.error);
    }
  }

  function cancel() {
    if (draft === null) return;
    setDraft(null);
    setError(null);
  }

  return (
    <div className={used ? 'field' : 'field field--unused'}>
      <label htmlFor={inputId}>{label}</label>
      <DraftInput
        id={inputId}
        whole={schema.kind === 'int'}
        text={shown}
        disabled={value === undefined}
        error={error}
        errorId={errorId}
        helpId={helpId}
        onDraft={(text) => {
          setDraft(text);
          setError(null);
        }}
        onCommit={() => void commit()}
        onCancel={cancel}
      />
      <FieldError id={errorId} message={error} />
      <p id={helpId} className="field__help">
        {used ? schema.help : `${method} ignores this option.`}
      </p>
    </div>
  );
}
