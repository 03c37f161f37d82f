import { useId } from 'react';
import { DEFAULT_TRAINER, defaultEps, TRAINER_FIELDS, TRAINER_METHODS, type SpecIssue, type TrainerMethod } from '../../engine';
import { FieldBox, IssueMessages, UnknownFieldBoxes } from './FieldBox';
import { unknownFields, type FieldEntry } from './form-model';

interface TrainerFieldsetProps {
  entries: readonly FieldEntry[];
  issues: readonly SpecIssue[];
  onFieldChange(name: string, text: string): void;
  onFieldRemove(name: string): void;
}

/**
 * The trainer options of the definition (the `SGDTrainer(net, {...})` object), drawn from
 * the engine's TRAINER_FIELDS. An empty box means ConvNetJS's default, shown as the
 * placeholder; options the chosen method does not read are dimmed, not hidden, so a
 * value written for another method stays visible.
 */
export function TrainerFieldset({ entries, issues, onFieldChange, onFieldRemove }: TrainerFieldsetProps) {
  const issueId = useId();
  const text = (name: string) => entries.find((e) => e.name === name)?.text ?? '';
  const methodText = text('method');
  const method: TrainerMethod = (TRAINER_METHODS as readonly string[]).includes(methodText)
    ? (methodText as TrainerMethod)
    : DEFAULT_TRAINER.method;
  const issueIds = (name: string | undefined) =>
    issues
      .map((issue, i) => (issue.field === name ? `${issueId}-${i}` : null))
      .filter((id): id is string => id !== null)
      .join(' ') || undefined;
  const invalid = (name: string) => issues.some((issue) => issue.field === name);

  return (
    <fieldset className="trainer-fieldset" aria-invalid={issues.length > 0 || undefined}>
      <legend>Trainer</legend>
      <div className="trainer-fieldset__fields">
        {TRAINER_FIELDS.map((field) => {
          const fallback = field.name === 'method' ? DEFAULT_TRAINER.method : field.name === 'eps' ? defaultEps(method) : DEFAULT_TRAINER[field.name];
          return (
            <FieldBox
              key={field.name}
              label={field.name}
              schema={field}
              text={text(field.name)}
              placeholder={`default ${fallback}`}
              emptyChoice={`default (${fallback})`}
              invalid={invalid(field.name)}
              describedBy={issueIds(field.name)}
              muted={!field.usedBy.includes(method)}
              onChange={(value) => onFieldChange(field.name, value)}
            />
          );
        })}
        <UnknownFieldBoxes
          entries={unknownFields(entries, TRAINER_FIELDS)}
          kind="trainer option"
          invalid={invalid}
          describedBy={issueIds}
          onChange={onFieldChange}
          onRemove={onFieldRemove}
        />
      </div>
      <IssueMessages issues={issues} idPrefix={issueId} />
    </fieldset>
  );
}
