/**
 * The shared machinery of user-settable fields: one typed description per field (its
 * kind and range), the checks of a value against it, and the issue list that turns
 * every problem into a sentence naming the layer or option. Layer modules and the
 * trainer options both describe their fields with these.
 */
import { listNames, shortName, suggestion } from './suggest';

// ---------------------------------------------------------------------------
// Errors

/** One problem found in a definition; `message` is a full sentence a user can act on. */
export interface SpecIssue {
  message: string;
  /** Index in the user's layer_defs (before desugaring), 0-based. */
  layerIndex?: number;
  layerType?: string;
  field?: string;
  /** 1-based position in the definition text, when the problem came from parsed text. */
  line?: number;
  column?: number;
}

/** A rejected network or trainer definition; `message` is the first issue. */
export class SpecError extends Error {
  readonly issues: SpecIssue[];

  constructor(issues: SpecIssue[]) {
    super(issues[0]?.message ?? 'the definition is not valid');
    this.name = 'SpecError';
    this.issues = issues;
  }
}

// ---------------------------------------------------------------------------
// Field schemas: one typed description per user-settable field. Validation messages and
// editor forms both read these, so the list of fields exists once.

export interface NumberFieldSchema<Name extends string = string> {
  name: Name;
  kind: 'int' | 'float';
  min: number;
  minInclusive: boolean;
  max: number;
  maxInclusive: boolean;
  help: string;
}

export interface ChoiceFieldSchema<Name extends string = string, Option extends string = string> {
  name: Name;
  kind: 'choice';
  options: readonly Option[];
  help: string;
}

export type LayerFieldSchema = (NumberFieldSchema | ChoiceFieldSchema) & {
  /** The layer cannot be built without this field (or its alias). */
  required?: boolean;
  /** ConvNetJS also accepts this name for another field (fc `filters` = `num_neurons`). */
  aliasOf?: string;
};

export function intField(name: string, min: number, help: string, required = false): LayerFieldSchema {
  return { name, kind: 'int', min, minInclusive: true, max: Infinity, maxInclusive: true, help, required };
}

export function floatField(
  name: string,
  help: string,
  range: Partial<Pick<NumberFieldSchema, 'min' | 'minInclusive' | 'max' | 'maxInclusive'>> = {},
  required = false,
): LayerFieldSchema {
  return {
    name,
    kind: 'float',
    min: range.min ?? -Infinity,
    minInclusive: range.minInclusive ?? true,
    max: range.max ?? Infinity,
    maxInclusive: range.maxInclusive ?? true,
    help,
    required,
  };
}

// ---------------------------------------------------------------------------
// Value checks shared by layer and trainer fields

export function formatNumber(n: number): string {
  return Math.abs(n) >= 10_000 && Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string '${value.length > 30 ? `${value.slice(0, 30)}...` : value}'`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** "a whole number, at least 1", "a number, at least 0 and less than 1" */
export function describeRange(field: NumberFieldSchema): string {
  const bounds: string[] = [];
  if (field.min > -Infinity) {
    bounds.push(`${field.minInclusive ? 'at least' : 'greater than'} ${formatNumber(field.min)}`);
  }
  if (field.max < Infinity) {
    bounds.push(`${field.maxInclusive ? 'at most' : 'less than'} ${formatNumber(field.max)}`);
  }
  const noun = field.kind === 'int' ? 'a whole number' : 'a finite number';
  return bounds.length > 0 ? `${noun}, ${bounds.join(' and ')}` : noun;
}

/** What is wrong with `value` for this field, as the end of a sentence, or null if it fits. */
export function numberProblem(field: NumberFieldSchema, value: unknown): string | null {
  const fits = `use ${describeRange(field)}`;
  if (typeof value !== 'number') {
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
      return `${field.name} is ${describeValue(value)}; write the number ${value.trim()} without quotes`;
    }
    return `${field.name} is ${describeValue(value)}; ${fits}`;
  }
  if (!Number.isFinite(value)) return `${field.name} is ${value}; ${fits}`;
  if (field.kind === 'int' && !Number.isInteger(value)) {
    return `${field.name} ${value} is not a whole number; ${fits}`;
  }
  const belowMin = field.minInclusive ? value < field.min : value <= field.min;
  const aboveMax = field.maxInclusive ? value > field.max : value >= field.max;
  if (belowMin || aboveMax) return `${field.name} ${formatNumber(value)} is out of range; ${fits}`;
  return null;
}

export function choiceProblem(field: ChoiceFieldSchema, value: unknown, what: string): string | null {
  if (typeof value !== 'string') {
    return `${field.name} is ${describeValue(value)}; use ${listNames(field.options)}`;
  }
  if (field.options.includes(value)) return null;
  return `${field.name} '${shortName(value)}' is not ${what}; ${suggestion(value, field.options)}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function layerWhere(index: number, type?: string): string {
  return type === undefined ? `layer ${index}` : `layer ${index} (${type})`;
}

export class IssueList {
  readonly items: SpecIssue[] = [];

  layer(index: number, type: string | undefined, field: string | undefined, text: string): void {
    const issue: SpecIssue = { message: `${layerWhere(index, type)}: ${text}`, layerIndex: index };
    if (type !== undefined) issue.layerType = type;
    if (field !== undefined) issue.field = field;
    this.items.push(issue);
  }

  general(text: string, field?: string): void {
    this.items.push(field === undefined ? { message: text } : { message: text, field });
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new SpecError(this.items);
  }
}

