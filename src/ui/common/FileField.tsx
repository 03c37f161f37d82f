import { useId, useState } from 'react';

interface FileFieldProps {
  label: string;
  /** The input's accept list, e.g. "application/json,.json". */
  accept: string;
  disabled: boolean;
  /** Called with the chosen file; the input is emptied, so the same file can be chosen again. */
  onFile(file: File | undefined): void;
}

/**
 * A labelled file input that hands over one file at a time. Emptying the input (so the same
 * file can be chosen again) makes the browser say "No file chosen", so the chosen file's
 * name is written next to it, and the input points to it.
 */
export function FileField({ label, accept, disabled, onFile }: FileFieldProps) {
  const id = useId();
  const chosenId = useId();
  const [chosen, setChosen] = useState<string | null>(null);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={accept}
        disabled={disabled}
        aria-describedby={chosen === null ? undefined : chosenId}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) setChosen(file.name);
          onFile(file);
          e.target.value = '';
        }}
      />
      {chosen === null ? null : (
        <p id={chosenId} className="field__help">
          Chosen: {chosen}
        </p>
      )}
    </div>
  );
}
