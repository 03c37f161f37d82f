import { useId } from 'react';
import type { TrainerMethod } from '../../engine';
import { METHOD_FIELD } from './trainer-form-fields';
import { FieldError } from '../common/ErrorNotice';

interface MethodFieldProps {
  value: TrainerMethod;
  /** The engine's message for the last refused choice, shown under the select. */
  error: string | null;
  disabled?: boolean;
  onChange(method: TrainerMethod): void;
}

/** The trainer's update rule as a labelled select, its options from the engine's schema. */
export function MethodField({ value, error, disabled, onChange }: MethodFieldProps) {
  const id = useId();
  const errorId = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{METHOD_FIELD.label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => onChange(e.target.value as TrainerMethod)}
      >
        {METHOD_FIELD.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
      <FieldError id={errorId} message={error} />
    </div>
  );
}
