import { useState } from 'react';
import type { TrainerMethod, TrainerSpec } from '../../engine';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { TrainerNumberField } from './TrainerNumberField';
import { MethodField } from './MethodField';
import { MAIN_FORM_FIELDS, MORE_FORM_FIELDS, type FormNumberField } from './trainer-form-fields';
import './controls.css';

/** Trainer options, applied live to the running session; the boxes show what is in force. */
export function TrainerForm() {
  const trainer = useDashboard((s) => s.network?.trainer ?? null);
  const actions = useDashboardActions();
  const [methodError, setMethodError] = useState<string | null>(null);
  const method = trainer?.method ?? 'sgd';
  /** The choice just made, shown until the store reports the method in force changed. */
  const [chosen, setChosen] = useState<{ value: TrainerMethod; previous: TrainerMethod } | null>(null);
  const shownMethod = chosen && chosen.previous === method ? chosen.value : method;

  const renderField = (field: FormNumberField) => (
    <TrainerNumberField
      key={field.schema.name}
      {...field}
      value={trainer?.[field.schema.name]}
      used={field.schema.usedBy.includes(method)}
      method={method}
      apply={(value) => actions.setTrainer({ [field.schema.name]: value } as Partial<TrainerSpec>)}
    />
  );

  return (
    <Card title="Trainer" className="trainer-card">
      <form className="trainer-form" onSubmit={(e) => e.preventDefault()} noValidate>
        <MethodField
          value={shownMethod}
          error={methodError}
          disabled={trainer === null}
          onChange={async (value) => {
            setChosen({ value, previous: method });
            const result = await actions.setTrainer({ method: value });
            setMethodError(result.ok ? null : result.error);
            if (!result.ok) setChosen(null);
          }}
        />
        {MAIN_FORM_FIELDS.map(renderField)}
        <details className="trainer-form__more">
          <summary>More options</summary>
          <div className="trainer-form__more-fields">{MORE_FORM_FIELDS.map(renderField)}</div>
        </details>
      </form>
      <p className="muted">Changes apply on Enter or when you leave a field; training keeps running.</p>
    </Card>
  );
}
