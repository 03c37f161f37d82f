import { useId, useState, type KeyboardEvent } from 'react';
import type { ActionResult } from '../../training/protocol';
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

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      void commit();
    } else if (event.key === 'Escape' && draft !== null) {
      setDraft(null);
      setError(null);
    }
  }

  const describedBy = error ? `${errorId} ${helpId}` : helpId;
  return (
    <div className={used ? 'field' : 'field field--unused'}>
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        type="text"
        inputMode={schema.kind === 'int' ? 'numeric' : 'decimal'}
        autoComplete="off"
        spellCheck={false}
        value={shown}
        disabled={value === undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => {
          setDraft(e.target.value);
          setError(null);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => void commit()}
      />
      {error ? (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      ) : null}
      <p id={helpId} className="field__help">
        {used ? schema.help : `${method} ignores this option.`}
      </p>
    </div>
  );
}
