import { Fragment, useId, type ReactNode } from 'react';
import type { FieldSchema } from './form-model';

interface FieldBoxProps {
  /** The visible label; ConvNetJS's field name for layers, since that is what people paste. */
  label: string;
  /** The engine's schema for the field, or undefined for a field it does not know. */
  schema: FieldSchema | undefined;
  text: string;
  /** Shown in an empty box: what the engine uses when the field is left out. */
  placeholder: string;
  /** Option shown for "not set" in a choice field. */
  emptyChoice?: string;
  invalid: boolean;
  /** Ids of the messages that explain this field (the engine's issues). */
  describedBy?: string;
  muted?: boolean;
  onChange(text: string): void;
}

/**
 * One field of the network form; the schema's help is its title (its description, until an
 * engine message about the field takes that place). Number fields are plain text boxes so that whatever is
 * typed reaches the engine and is judged in its words; choice fields are selects whose
 * options come from the schema (plus an unknown value the code named, so it stays visible).
 */
export function FieldBox({
  label,
  schema,
  text,
  placeholder,
  emptyChoice = 'not set',
  invalid,
  describedBy,
  muted = false,
  onChange,
}: FieldBoxProps) {
  const id = useId();
  const help = schema?.help ?? 'a field the engine does not know';
  return (
    <div className={muted ? 'net-field net-field--muted' : 'net-field'}>
      <label htmlFor={id} title={help}>
        {breakableName(label)}
      </label>
      {schema?.kind === 'choice' ? (
        <select
          id={id}
          value={text}
          title={help}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">{emptyChoice}</option>
          {schema.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
          {text !== '' && !(schema.options as readonly string[]).includes(text) ? <option value={text}>{text}</option> : null}
        </select>
      ) : (
        <input
          id={id}
          type="text"
          inputMode={schema?.kind === 'int' ? 'numeric' : schema?.kind === 'float' ? 'decimal' : undefined}
          autoComplete="off"
          spellCheck={false}
          value={text}
          placeholder={placeholder}
          title={help}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </div>
  );
}

/** l2_decay_mul may wrap after an underscore (l2_decay_ / mul) in a narrow box, never mid-word. */
/**
 * The fields the engine's schema does not know (kept for the round trip, so the engine can
 * say what is wrong with them), each with a button that removes it. `kind` names them for
 * the button's label: "field" in a layer row, "trainer option" in the trainer.
 */
export function UnknownFieldBoxes({
  entries,
  kind,
  invalid,
  describedBy,
  onChange,
  onRemove,
}: {
  entries: readonly { name: string; text: string }[];
  kind: string;
  invalid(name: string): boolean;
  describedBy(name: string): string | undefined;
  onChange(name: string, text: string): void;
  onRemove(name: string): void;
}) {
  return entries.map(({ name, text }) => (
    <div key={name} className="layer-row__unknown">
      <FieldBox
        label={name}
        schema={undefined}
        text={text}
        placeholder=""
        invalid={invalid(name)}
        describedBy={describedBy(name)}
        onChange={(next) => onChange(name, next)}
      />
      <button type="button" className="icon-button icon-button--danger" aria-label={`Remove ${kind} ${name}`} title={`Remove ${kind} ${name}`} onClick={() => onRemove(name)}>
        ✕
      </button>
    </div>
  ));
}

/** The engine's messages for a row, each with the id its fields point to (aria-describedby). */
export function IssueMessages({ issues, idPrefix }: { issues: readonly { message: string }[]; idPrefix: string }) {
  return issues.map((issue, i) => (
    <p key={i} id={`${idPrefix}-${i}`} className="layer-row__issue">
      {issue.message}
    </p>
  ));
}

function breakableName(name: string): ReactNode {
  const parts = name.split('_');
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 ? (
        <>
          _<wbr />
        </>
      ) : null}
    </Fragment>
  ));
}
