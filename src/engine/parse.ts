/**
 * Reads the network box: either the ConvNetJS snippet people know from the MNIST demo
 * (`layer_defs.push({...})`, `new convnetjs.SGDTrainer(net, {...})`) or JSON
 * `{ "layers": [...], "trainer": {...} }`. Nothing is evaluated: a small statement reader
 * recognises the handful of statement shapes the snippet uses, and every object literal
 * goes through JSON5. Anything else is an error pointing at its line and column.
 */

import {
  LIMITS,
  SpecError,
  resolveLayers,
  resolveTrainer,
  type LayerDef,
  type ResolvedLayer,
  type SpecIssue,
  type TrainerSpec,
} from './spec';
import {
  entryKey,
  isRecord,
  LineMap,
  objectPosition,
  Reader,
  readArguments,
  readLiteral,
  SyntaxProblem,
  topLevelItems,
  type Literal,
} from './parse-reader';
import { closestName, shortName } from './suggest';

/** 1-based line and column, as an editor shows them. */
export interface TextPosition {
  line: number;
  column: number;
}

/** Where an object literal starts and where each of its top-level keys is written. */
export interface ObjectPosition extends TextPosition {
  fields: Record<string, TextPosition>;
}

export interface ParsedDefinition {
  layers: LayerDef[];
  trainer: Record<string, unknown>;
  /**
   * Source positions for pointing errors at the text; one entry per layer. `start` is
   * where the definition begins, for an issue whose own place could not be found.
   */
  positions: { layers: ObjectPosition[]; trainer?: ObjectPosition; start?: TextPosition };
}

export const SEED_DEFINITION_TEXT = `layer_defs = [];
layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});
layer_defs.push({type:'conv', sx:5, filters:8, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:2, stride:2});
layer_defs.push({type:'conv', sx:5, filters:16, stride:1, pad:2, activation:'relu'});
layer_defs.push({type:'pool', sx:3, stride:3});
layer_defs.push({type:'softmax', num_classes:10});

net = new convnetjs.Net();
net.makeLayers(layer_defs);

trainer = new convnetjs.SGDTrainer(net, {method:'adadelta', batch_size:20, l2_decay:0.001});
`;

export const SEED_LAYER_DEFS: readonly LayerDef[] = Object.freeze([
  { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
  { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 2, stride: 2 },
  { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
  { type: 'pool', sx: 3, stride: 3 },
  { type: 'softmax', num_classes: 10 },
]);

export const SEED_TRAINER: Readonly<TrainerSpec> = Object.freeze(
  resolveTrainer({ method: 'adadelta', batch_size: 20, l2_decay: 0.001 }),
);

const EXPECTED_STATEMENTS =
  'expected layer_defs = [], layer_defs.push({...}), net = new convnetjs.Net(), net.makeLayers(layer_defs) ' +
  'or trainer = new convnetjs.SGDTrainer(net, {...})';

const TRAINER_CONSTRUCTORS = ['convnetjs.SGDTrainer', 'convnetjs.Trainer'];
const NET_CONSTRUCTOR = 'convnetjs.Net';

/** What the snippet has declared so far, to check names are used consistently. */
interface SnippetState {
  layerVar?: { name: string; line: number };
  netVar?: { name: string; line: number };
  madeLayersLine?: number;
  trainerLine?: number;
  layers: LayerDef[];
  layerPositions: ObjectPosition[];
  trainer: Record<string, unknown>;
  trainerPosition?: ObjectPosition;
}

function addLayers(state: SnippetState, reader: Reader, lines: LineMap, literals: readonly Literal[]): void {
  for (const literal of literals) {
    checkLayerCount(state.layers.length + 1, literal.open);
    state.layers.push(literal.value as LayerDef);
    state.layerPositions.push(objectPosition(reader, lines, literal.open, literal.close));
  }
}

/**
 * Stops reading at the first layer over the cap, so a paste of thousands of layers is
 * refused without locating (or, in a snippet, even parsing) the rest.
 */
function checkLayerCount(count: number, offset: number): void {
  if (count > LIMITS.maxLayers) {
    throw new SyntaxProblem(
      offset,
      `the network has more than ${LIMITS.maxLayers} layer definitions, the limit; this is definition ${count}`,
    );
  }
}

/** Elements of an array literal (layer definitions), each re-read so its position is known. */
function arrayElements(reader: Reader, array: Literal): Literal[] {
  const values = array.value as unknown[];
  checkLayerCount(values.length, array.open);
  const items = topLevelItems(reader, array.open, array.close);
  return values.map((value, i) => {
    const item = items[i];
    const isObject = item !== undefined && reader.text[item.start] === '{';
    const open = item?.start ?? array.open;
    return { value, open, close: isObject ? reader.matchingClose(open) : open + 1 };
  });
}

function nameHint(used: string, declared: string | undefined): string {
  if (declared === undefined) return '';
  const name = shortName(declared);
  return closestName(used, [declared]) !== undefined ? `; did you mean '${name}'?` : `; the array is named '${name}'`;
}

/** Reads one statement of the snippet and applies it to `state`. */
function readStatement(reader: Reader, lines: LineMap, state: SnippetState): void {
  reader.skipTrivia();
  const start = reader.pos;
  const line = lines.at(start).line;
  const unexpected = (): SyntaxProblem =>
    new SyntaxProblem(start, `unexpected statement '${reader.statementExcerpt(start)}'; ${EXPECTED_STATEMENTS}`);

  let name = reader.identifier();
  if (name === 'var' || name === 'let' || name === 'const') name = reader.identifier();
  if (name === null) throw unexpected();

  if (reader.accept('=')) {
    reader.skipTrivia();
    if (reader.peek() === '[') {
      const array = readLiteral(reader, lines);
      if (state.layerVar !== undefined) {
        throw new SyntaxProblem(
          start,
          `the layer array is already declared on line ${state.layerVar.line} as '${shortName(state.layerVar.name)}'; declare it once`,
        );
      }
      state.layerVar = { name, line };
      addLayers(state, reader, lines, arrayElements(reader, array));
    } else {
      const keyword = reader.identifier();
      if (keyword !== 'new') throw unexpected();
      reader.skipTrivia();
      const constructorOffset = reader.pos;
      const ctor = reader.dottedName();
      if (ctor === NET_CONSTRUCTOR) {
        readArguments(reader, lines); // ConvNetJS's Net ignores its options.
        state.netVar = { name, line };
      } else if (ctor !== null && TRAINER_CONSTRUCTORS.includes(ctor)) {
        readTrainer(reader, lines, state, start, line);
      } else {
        throw new SyntaxProblem(
          constructorOffset,
          `unknown constructor '${ctor !== null ? shortName(ctor) : reader.statementExcerpt(constructorOffset)}'; use new ${NET_CONSTRUCTOR}() or new convnetjs.SGDTrainer(net, {...})`,
        );
      }
    }
  } else if (reader.accept('.')) {
    const method = reader.identifier();
    if (method === 'push') {
      if (state.layerVar === undefined || state.layerVar.name !== name) {
        throw new SyntaxProblem(
          start,
          `'${shortName(name)}' is not a declared layer array${nameHint(name, state.layerVar?.name)}` +
            (state.layerVar === undefined ? `; start with ${shortName(name)} = [];` : ''),
        );
      }
      if (state.madeLayersLine !== undefined) {
        throw new SyntaxProblem(
          start,
          `this push comes after makeLayers on line ${state.madeLayersLine}, so it would not reach the network; move it above that line`,
        );
      }
      const literals: Literal[] = [];
      for (const arg of readArguments(reader, lines)) {
        if (arg.kind !== 'literal' || !isRecord(arg.value)) {
          const offset = arg.kind === 'name' ? arg.offset : arg.open;
          throw new SyntaxProblem(offset, "push takes layer objects like {type:'conv', sx:5, filters:8}");
        }
        literals.push(arg);
      }
      addLayers(state, reader, lines, literals);
    } else if (method === 'makeLayers') {
      if (state.netVar === undefined || state.netVar.name !== name) {
        throw new SyntaxProblem(start, `'${shortName(name)}' is not a declared network; start with ${shortName(name)} = new ${NET_CONSTRUCTOR}();`);
      }
      const args = readArguments(reader, lines);
      const arg = args[0];
      if (args.length !== 1 || arg === undefined || arg.kind !== 'name' || arg.name !== state.layerVar?.name) {
        throw new SyntaxProblem(
          start,
          `makeLayers takes the layer array by name, e.g. ${shortName(name)}.makeLayers(${shortName(state.layerVar?.name ?? 'layer_defs')})`,
        );
      }
      state.madeLayersLine = line;
    } else {
      throw unexpected();
    }
  } else {
    throw unexpected();
  }
  // Like JavaScript, a statement ends at ';' or a line break; anything else on the line
  // would be part of an expression this reader does not evaluate.
  const endLine = lines.at(reader.pos).line;
  if (reader.accept(';')) return;
  reader.skipTrivia();
  if (!reader.atEnd && lines.at(reader.pos).line === endLine) {
    throw new SyntaxProblem(
      reader.pos,
      `unexpected '${reader.statementExcerpt(reader.pos)}' after the statement; end the statement with ';' (expressions are not evaluated)`,
    );
  }
}

function readTrainer(reader: Reader, lines: LineMap, state: SnippetState, start: number, line: number): void {
  if (state.trainerLine !== undefined) {
    throw new SyntaxProblem(start, `a trainer is already declared on line ${state.trainerLine}; declare it once`);
  }
  const args = readArguments(reader, lines);
  const [net, options, ...extra] = args;
  // The net statements are optional (the layers are what define the network), so any name
  // will do until a net is declared; after that a different name is a typo.
  const netName = state.netVar?.name;
  if (net === undefined || net.kind !== 'name' || (netName !== undefined && net.name !== netName)) {
    throw new SyntaxProblem(
      start,
      `the trainer's first argument must be the network, e.g. new convnetjs.SGDTrainer(${shortName(netName ?? 'net')}, {...})`,
    );
  }
  if (extra.length > 0 || (options !== undefined && (options.kind !== 'literal' || !isRecord(options.value)))) {
    throw new SyntaxProblem(
      start,
      "the trainer takes the network and one options object, e.g. {method:'adadelta', batch_size:20}",
    );
  }
  state.trainerLine = line;
  if (options !== undefined && options.kind === 'literal' && isRecord(options.value)) {
    state.trainer = options.value;
    state.trainerPosition = objectPosition(reader, lines, options.open, options.close);
  }
}

function readSnippet(reader: Reader, lines: LineMap): ParsedDefinition {
  const state: SnippetState = { layers: [], layerPositions: [], trainer: {} };
  for (;;) {
    reader.skipTrivia();
    if (reader.atEnd) break;
    readStatement(reader, lines, state);
  }
  if (state.layerVar === undefined) {
    throw new SyntaxProblem(
      reader.text.length,
      "no layers found; start with layer_defs = []; and add layers with layer_defs.push({type:'input', out_sx:24, out_sy:24, out_depth:1});",
    );
  }
  const positions: ParsedDefinition['positions'] = { layers: state.layerPositions };
  if (state.trainerPosition !== undefined) positions.trainer = state.trainerPosition;
  return { layers: state.layers, trainer: state.trainer, positions };
}

const JSON_KEYS = ['layers', 'trainer'];

/** `{ "layers": [...], "trainer": {...} }`, or a bare `[...]` of layers. */
function readJson(reader: Reader, lines: LineMap): ParsedDefinition {
  const whole = readLiteral(reader, lines);
  reader.skipTrivia();
  if (!reader.atEnd) {
    throw new SyntaxProblem(reader.pos, 'unexpected text after the JSON definition; remove it');
  }
  if (Array.isArray(whole.value)) {
    const elements = arrayElements(reader, whole);
    return {
      layers: whole.value as LayerDef[],
      trainer: {},
      positions: { layers: elements.map((e) => objectPosition(reader, lines, e.open, e.close)) },
    };
  }
  const root = whole.value as Record<string, unknown>;
  const entries = topLevelItems(reader, whole.open, whole.close);
  const entryAt = (key: string): number | undefined =>
    entries.find((e) => entryKey(reader.text, e.start) === key)?.start;
  for (const key of Object.keys(root)) {
    if (!JSON_KEYS.includes(key)) {
      const near = closestName(key, JSON_KEYS);
      throw new SyntaxProblem(
        entryAt(key) ?? whole.open,
        `unknown key '${shortName(key)}'; ${near !== undefined ? `did you mean '${near}'?` : "the definition takes 'layers' and 'trainer'"}`,
      );
    }
  }
  const layers = root.layers;
  if (!Array.isArray(layers)) {
    throw new SyntaxProblem(
      entryAt('layers') ?? whole.open,
      `'layers' must be an array of layer objects like {"type": "input", "out_sx": 24, "out_sy": 24, "out_depth": 1}`,
    );
  }
  const trainer = root.trainer ?? {};
  if (!isRecord(trainer)) {
    throw new SyntaxProblem(
      entryAt('trainer') ?? whole.open,
      `'trainer' must be an object like {"method": "adadelta", "batch_size": 20}`,
    );
  }
  const positions: ParsedDefinition['positions'] = { layers: [] };
  const layersAt = entryAt('layers');
  const layersOpen = layersAt === undefined ? -1 : reader.text.indexOf('[', layersAt);
  if (layersOpen >= 0) {
    const array = { value: layers, open: layersOpen, close: reader.matchingClose(layersOpen) };
    positions.layers = arrayElements(reader, array).map((e) => objectPosition(reader, lines, e.open, e.close));
  }
  const trainerAt = entryAt('trainer');
  const trainerOpen = trainerAt === undefined ? -1 : reader.text.indexOf('{', trainerAt);
  if (trainerOpen >= 0) {
    positions.trainer = objectPosition(reader, lines, trainerOpen, reader.matchingClose(trainerOpen));
  }
  return { layers: layers as LayerDef[], trainer, positions };
}

/** UTF-8 length without allocating an encoded copy. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4; // a surrogate pair: the low half adds nothing more
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Reads a network definition (ConvNetJS snippet or JSON) into raw layer definitions and
 * trainer options, without checking their fields. Throws SpecError with line and column.
 */
export function parseDefinition(text: string): ParsedDefinition {
  if (text.length > LIMITS.maxDefinitionBytes || utf8Length(text) > LIMITS.maxDefinitionBytes) {
    throw new SpecError([
      {
        message: `the definition is larger than the limit of ${LIMITS.maxDefinitionBytes.toLocaleString('en-US')} bytes (${LIMITS.maxDefinitionBytes / 1000} kB); a network definition is a few lines`,
      },
    ]);
  }
  const reader = new Reader(text);
  const lines = new LineMap(text);
  try {
    reader.skipTrivia();
    const start = lines.at(reader.pos);
    const first = reader.peek();
    const parsed = first === '{' || first === '[' ? readJson(reader, lines) : readSnippet(reader, lines);
    parsed.positions.start = start;
    return parsed;
  } catch (e) {
    if (!(e instanceof SyntaxProblem)) throw e;
    const { line, column } = lines.at(e.offset);
    throw new SpecError([{ message: `line ${line}, column ${column}: ${e.text}`, line, column }]);
  }
}

/** Adds the source line and column of the layer or trainer field an issue is about. */
function locate(issue: SpecIssue, position: ObjectPosition | undefined): SpecIssue {
  if (position === undefined) return issue;
  const at =
    issue.field !== undefined && Object.hasOwn(position.fields, issue.field) ? position.fields[issue.field]! : position;
  return { ...issue, message: `line ${at.line}: ${issue.message}`, line: at.line, column: at.column };
}

/**
 * Parses and validates a definition: resolved layers (desugared, with shapes) and a
 * complete trainer spec (ConvNetJS defaults for what is not given). Reports the
 * problems of layers and trainer together, each with its line.
 */
export function parseNetwork(text: string): { layers: ResolvedLayer[]; trainer: TrainerSpec } {
  const parsed = parseDefinition(text);
  // Where an issue goes when its layer's place in the text was not found.
  const fallback: ObjectPosition | undefined = parsed.positions.start && { ...parsed.positions.start, fields: {} };
  const issues: SpecIssue[] = [];
  let layers: ResolvedLayer[] = [];
  let trainer: TrainerSpec | undefined;
  try {
    layers = resolveLayers(parsed.layers);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    for (const issue of e.issues) {
      issues.push(locate(issue, issue.layerIndex === undefined ? undefined : (parsed.positions.layers[issue.layerIndex] ?? fallback)));
    }
  }
  try {
    trainer = resolveTrainer(parsed.trainer);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    for (const issue of e.issues) issues.push(locate(issue, parsed.positions.trainer));
  }
  if (issues.length > 0 || trainer === undefined) throw new SpecError(issues);
  return { layers, trainer };
}
