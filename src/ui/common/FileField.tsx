import { useId } from 'react';

interface FileFieldProps {
  label: string;
  /** The input's accept list, e.g. "application/json,.json". */
  accept: string;
  disabled: boolean;
  /** Called with the chosen file; the input is emptied, so the same file can be chosen again. */
  onFile(file: File | undefined): void;
}

/** A labelled file input that hands over one file at a time. */
export function FileField({ label, accept, disabled, onFile }: FileFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        accept={accept}
        disabled={disabled}
        onChange={(e) => {
          onFile(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
    </div>
  );
}
