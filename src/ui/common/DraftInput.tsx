import type { KeyboardEvent } from 'react';

interface DraftInputProps {
  id: string;
  /** Whole numbers only (a numeric keypad on phones) or decimals. */
  whole: boolean;
  /** What the box shows: the draft being typed, or the value in force. */
  text: string;
  disabled?: boolean;
  error: string | null;
  errorId: string;
  helpId: string;
  onDraft(text: string): void;
  /** Enter or leaving the box: apply the draft. */
  onCommit(): void;
  /** Escape: drop the draft. */
  onCancel(): void;
}

/** A text box for one number that is applied on Enter or blur and dropped on Escape. */
export function DraftInput({ id, whole, text, disabled, error, errorId, helpId, onDraft, onCommit, onCancel }: DraftInputProps) {
  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      onCommit();
    } else if (event.key === 'Escape') {
      onCancel();
    }
  }
  return (
    <input
      id={id}
      type="text"
      inputMode={whole ? 'numeric' : 'decimal'}
      autoComplete="off"
      spellCheck={false}
      value={text}
      disabled={disabled}
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${errorId} ${helpId}` : helpId}
      onChange={(e) => onDraft(e.target.value)}
      onKeyDown={onKeyDown}
      onBlur={onCommit}
    />
  );
}
