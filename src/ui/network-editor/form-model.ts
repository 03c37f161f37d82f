/**
 * The network as a form: one row per layer definition, each field held as the text its
 * box shows, plus the trainer options. The form and the code box edit the same
 * definition: text -> model reads the snippet without validating it (so an invalid layer
 * still gets its row and the engine's message), model -> text writes it back. A value
 * nobody has touched keeps its original form, so the round trip loses nothing but
 * comments and layout.
 *
 * Which fields each layer type and the trainer have comes from the engine's schemas
 * (LAYER_FIELDS, TRAINER_FIELDS); nothing here lists fields by hand.
 */
import { parseDefinition } from '../../engine';
import {
  LAYER_FIELDS,
  LAYER_TYPES,
  SpecError,
  type LayerDef,
  type LayerFieldSchema,
  type LayerType,
  type TrainerFieldSchema,
} from '../../engine';
import { snippetText, valueLiteral } from './snippet-text';

/** One field as its box shows it. */
export interface FieldEntry {
  name: string;
  text: string;
  /** The value as read from the code, kept until the box is edited (then `text` rules). */
  original?: { value: unknown };
}

export interface LayerRow {
  /** Stable identity for React keys and focus, not part of the definition. */
  id: number;
  /** A layer type, or whatever unknown type the code named (the engine says what is wrong). */
  type: string;
  /** In the order written, so an untouched definition reads back the same. */
  fields: readonly FieldEntry[];
}

export interface NetworkFormModel {
  rows: readonly LayerRow[];
  trainer: readonly FieldEntry[];
}

export type FieldSchema = LayerFieldSchema | TrainerFieldSchema;

let lastRowId = 0;
function newRowId(): number {
  lastRowId += 1;
  return lastRowId;
}

export function isLayerType(type: string): type is LayerType {
  return (LAYER_TYPES as readonly string[]).includes(type);
}

/** The fields a layer type accepts (none for an unknown type). */
export function layerFieldSchemas(type: string): readonly LayerFieldSchema[] {
  return isLayerType(type) ? LAYER_FIELDS[type] : [];
}

/**
 * Fields ConvNetJS's desugaring reads on any layer (it appends an activation or dropout
 * layer) but that a person only means after a layer with weights. Elsewhere (input, pool,
 * relu...) a box for them is noise; they show there only when the code set them.
 */
const AFTER_WEIGHTS_FIELDS: ReadonlySet<string> = new Set(['activation', 'group_size', 'drop_prob']);
const WEIGHTED_TYPES: ReadonlySet<string> = new Set(['conv', 'fc']);

/**
 * Fields a row shows a box for: the type's fields, except those that do not apply unless
 * the code used them: the aliases ConvNetJS also accepts (in_sx for out_sx, fc filters for
 * num_neurons), activation and dropout on layers without weights, and group_size unless
 * the activation is maxout (the only one that reads it).
 */
export function shownLayerFields(row: LayerRow): LayerFieldSchema[] {
  const written = (name: string) => row.fields.some((e) => e.name === name);
  const activation = row.fields.find((e) => e.name === 'activation')?.text.trim();
  return layerFieldSchemas(row.type).filter((f) => {
    if (written(f.name)) return true;
    if (f.aliasOf !== undefined) return false;
    if (AFTER_WEIGHTS_FIELDS.has(f.name) && !WEIGHTED_TYPES.has(row.type)) return false;
    return f.name !== 'group_size' || activation === 'maxout';
  });
}

/** Fields in a row (or the trainer) that its schema does not know: kept, shown, flagged by the engine. */
export function unknownFields(entries: readonly FieldEntry[], schemas: readonly FieldSchema[]): FieldEntry[] {
  return entries.filter((e) => !schemas.some((f) => f.name === e.name));
}

/** What a box shows for a value read from the code. */
export function displayText(value: unknown): string {
  return typeof value === 'string' ? value : valueLiteral(value);
}

const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * The value a box's text stands for: nothing when empty (the engine's default applies),
 * a number when it reads as one, else the text itself, which the engine then rejects in
 * its own words (a number field) or checks against its options (a choice field).
 */
export function entryValue(entry: FieldEntry): unknown {
  if (entry.original !== undefined) return entry.original.value;
  const text = entry.text.trim();
  if (text === '') return undefined;
  return NUMBER_TEXT.test(text) ? Number(text) : text;
}

function entriesFromObject(object: Record<string, unknown>, skip: string[] = []): FieldEntry[] {
  return Object.keys(object)
    .filter((name) => !skip.includes(name) && object[name] !== undefined)
    .map((name) => ({ name, text: displayText(object[name]), original: { value: object[name] } }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rowFromDef(def: unknown, index: number): LayerRow {
  if (!isRecord(def)) {
    throw new SpecError([{ message: `layer ${index}: expected an object like {type:'conv', ...}`, layerIndex: index }]);
  }
  if (typeof def.type !== 'string') {
    throw new SpecError([
      {
        message: `layer ${index}: the form needs a type written as a string, like type:'conv'`,
        layerIndex: index,
        field: 'type',
      },
    ]);
  }
  return { id: newRowId(), type: def.type, fields: entriesFromObject(def, ['type']) };
}

/**
 * Reads definition text into a form model. Throws the parser's SpecError when the text is
 * not a readable definition; a definition that reads but does not validate is fine.
 */
export function modelFromText(text: string): NetworkFormModel {
  const parsed = parseDefinition(text);
  return {
    rows: parsed.layers.map((def, i) => rowFromDef(def, i)),
    trainer: entriesFromObject(parsed.trainer),
  };
}

function fieldPairs(entries: readonly FieldEntry[]): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (const entry of entries) {
    const value = entryValue(entry);
    if (value !== undefined) pairs.push([entry.name, value]);
  }
  return pairs;
}

function rowPairs(row: LayerRow): [string, unknown][] {
  return [['type', row.type], ...fieldPairs(row.fields)];
}

/** The layer definitions and trainer options the form stands for, as the engine reads them. */
export function modelDefinition(model: NetworkFormModel): { layers: LayerDef[]; trainer: Record<string, unknown> } {
  // defineProperty, not assignment, so a field named __proto__ stays a plain field.
  const toObject = (pairs: [string, unknown][]) => {
    const object: Record<string, unknown> = {};
    for (const [k, v] of pairs) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true });
    return object;
  };
  return {
    layers: model.rows.map((row) => toObject(rowPairs(row)) as LayerDef),
    trainer: toObject(fieldPairs(model.trainer)),
  };
}

/** The code-box text for the form's definition. */
export function modelText(model: NetworkFormModel): string {
  return snippetText(model.rows.map(rowPairs), fieldPairs(model.trainer));
}

// ---------------------------------------------------------------------------
// Edits: each returns a new model and leaves the old one as it was.

function setEntry(entries: readonly FieldEntry[], name: string, text: string): FieldEntry[] {
  const at = entries.findIndex((e) => e.name === name);
  if (at < 0) return [...entries, { name, text }];
  return entries.map((e, i) => (i === at ? { name, text } : e));
}

function updateRow(model: NetworkFormModel, rowId: number, change: (row: LayerRow) => LayerRow): NetworkFormModel {
  return { ...model, rows: model.rows.map((row) => (row.id === rowId ? change(row) : row)) };
}

export function setLayerField(model: NetworkFormModel, rowId: number, name: string, text: string): NetworkFormModel {
  return updateRow(model, rowId, (row) => ({ ...row, fields: setEntry(row.fields, name, text) }));
}

export function removeLayerField(model: NetworkFormModel, rowId: number, name: string): NetworkFormModel {
  return updateRow(model, rowId, (row) => ({ ...row, fields: row.fields.filter((e) => e.name !== name) }));
}

/** A new type keeps the values of the fields it shares with the old one (sx, stride, ...). */
export function setLayerType(model: NetworkFormModel, rowId: number, type: string): NetworkFormModel {
  const names = layerFieldSchemas(type).map((f) => f.name);
  return updateRow(model, rowId, (row) => ({ ...row, type, fields: row.fields.filter((e) => names.includes(e.name)) }));
}

export function setTrainerField(model: NetworkFormModel, name: string, text: string): NetworkFormModel {
  return { ...model, trainer: setEntry(model.trainer, name, text) };
}

export function removeTrainerField(model: NetworkFormModel, name: string): NetworkFormModel {
  return { ...model, trainer: model.trainer.filter((e) => e.name !== name) };
}

/** Moves the row at `from` so it ends up at index `to`. */
export function moveRow(model: NetworkFormModel, from: number, to: number): NetworkFormModel {
  if (from === to || from < 0 || to < 0 || from >= model.rows.length || to >= model.rows.length) return model;
  const rows = [...model.rows];
  const [row] = rows.splice(from, 1);
  rows.splice(to, 0, row!);
  return { ...model, rows };
}

export function removeRow(model: NetworkFormModel, rowId: number): NetworkFormModel {
  return { ...model, rows: model.rows.filter((row) => row.id !== rowId) };
}

/**
 * Where a new layer goes: before the loss layer when the network ends in one (a layer after
 * the loss is never valid), else at the end.
 */
export function insertionIndex(model: NetworkFormModel): number {
  const last = model.rows[model.rows.length - 1];
  const endsInLoss = last !== undefined && (last.type === 'softmax' || last.type === 'svm' || last.type === 'regression');
  return endsInLoss ? model.rows.length - 1 : model.rows.length;
}

/** Adds an empty layer of `type`; returns the model and the new row's id. */
export function addRow(model: NetworkFormModel, type: LayerType): { model: NetworkFormModel; rowId: number } {
  const row: LayerRow = { id: newRowId(), type, fields: [] };
  const rows = [...model.rows];
  rows.splice(insertionIndex(model), 0, row);
  return { model: { ...model, rows }, rowId: row.id };
}
