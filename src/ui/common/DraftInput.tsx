import { useState, type KeyboardEvent } from 'react';

/** The text being typed into a box, and the refusal of the last attempt to apply it. */
export interface Draft {
  text: string | null;
  error: string | null;
  setText(text: string | null): void;
  setError(error: string | null): void;
  /** Typing: the new text, and no refusal until it is applied. */
  type(text: string): void;
  /** Escape: back to the value in force. */
  cancel(): void;
}

export function useDraft(): Draft {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return {
    text,
    error,
    setText,
    setError,
    type(next) {
      setText(next);
      setError(null);
    },
    cancel() {
      if (text === null) return;
      setText(null);
      setError(null);
    },
  };
}

interface DraftInputProps {
  id: string;
  /** Whole numbers only (a numeric keypad on phones) or decimals. */
  whole: boolean;
  draft: Draft;
  /** What the box shows when nothing is being typed: the value in force. */
  shown: string;
  disabled?: boolean;
  errorId: string;
  helpId: string;
  /** Enter or leaving the box: apply the draft. */
  onCommit(): void;
}

/** A text box for one number that is applied on Enter or blur and dropped on Escape. */
export function DraftInput({ id, whole, draft, shown, disabled, errorId, helpId, onCommit }: DraftInputProps) {
  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter') {
      event.preventDefault();
      onCommit();
    } else if (event.key === 'Escape') {
      draft.cancel();
    }
  }
  return (
    <input
      id={id}
      type="text"
      inputMode={whole ? 'numeric' : 'decimal'}
      autoComplete="off"
      spellCheck={false}
      value={draft.text ?? shown}
      disabled={disabled}
      aria-invalid={draft.error ? true : undefined}
      aria-describedby={draft.error ? `${errorId} ${helpId}` : helpId}
      onChange={(e) => draft.type(e.target.value)}
      onKeyDown={onKeyDown}
      onBlur={onCommit}
    />
  );
}
