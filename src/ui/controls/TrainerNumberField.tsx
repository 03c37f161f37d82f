import { useId, useState } from 'react';
import type { ActionResult } from '../../training/protocol';
import { DraftInput, useDraft } from '../common/DraftInput';
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
  const draft = useDraft();
  /**
   * After an accepted edit, keep showing what was typed until the store reports a new
   * value in force, so the box does not flash back to the old one in between.
   */
  const [accepted, setAccepted] = useState<{ text: string; previous: number | undefined } | null>(null);

  const shown = accepted && accepted.previous === value ? accepted.text : value === undefined ? '' : formatFieldValue(value);

  async function commit() {
    const text = draft.text;
    if (text === null) return;
    const parsed = parseFieldText(schema, text);
    if (!parsed.ok) {
      draft.setError(parsed.error);
      return;
    }
    // Cleared before awaiting, so a blur right after Enter does not send the change twice.
    draft.setText(null);
    draft.setError(null);
    setAccepted({ text, previous: value });
    const result = await apply(parsed.value);
    if (!result.ok) {
      setAccepted(null);
      draft.setText(text);
      draft.setError(result.error);
    }
  }

  return (
    <div className={used ? 'field' : 'field field--unused'}>
      <label htmlFor={inputId}>{label}</label>
      <DraftInput
        id={inputId}
        whole={schema.kind === 'int'}
        draft={draft}
        shown={shown}
        disabled={value === undefined}
        errorId={errorId}
        helpId={helpId}
        onCommit={() => void commit()}
      />
      <FieldError id={errorId} message={draft.error} />
      <p id={helpId} className="field__help">
        {used ? schema.help : `${method} ignores this option.`}
      </p>
    </div>
  );
}
