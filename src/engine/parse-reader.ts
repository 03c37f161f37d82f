/**
 * The lexical half of the definition reader (parse.ts): a cursor over the text that
 * knows JavaScript's comments, strings and bracket nesting, line and column lookup, and
 * object literals read through JSON5 with the position of each key. Nothing is evaluated.
 */
import JSON5 from 'json5';
import type { ObjectPosition, TextPosition } from './parse';
import { SpecError } from './fields';

/** Thrown inside the reader; parseDefinition turns it into a SpecError. */
export class SyntaxProblem {
  constructor(
    readonly offset: number,
    readonly text: string,
  ) {}
}

/** Maps string offsets to line and column. */
export class LineMap {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  at(offset: number): TextPosition {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[\w$]/;
const CLOSER: Record<string, string> = { '{': '}', '[': ']', '(': ')' };

/**
 * A cursor over the definition text that knows JavaScript's comments, strings and
 * bracket nesting, which is all the snippet grammar needs.
 */
export class Reader {
  pos = 0;

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  /** Skips whitespace and comments. */
  skipTrivia(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\uFEFF' || c === '\u00A0') {
        this.pos++;
      } else if (c === '/' && t[this.pos + 1] === '/') {
        const end = t.indexOf('\n', this.pos);
        this.pos = end < 0 ? t.length : end + 1;
      } else if (c === '/' && t[this.pos + 1] === '*') {
        const end = t.indexOf('*/', this.pos + 2);
        if (end < 0) throw new SyntaxProblem(this.pos, "this comment is never closed; end it with '*/'");
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  /** Reads an identifier, or returns null (without moving) if none starts here. */
  identifier(): string | null {
    this.skipTrivia();
    const start = this.pos;
    if (!IDENT_START.test(this.peek())) return null;
    this.pos++;
    while (IDENT_PART.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Reads `a.b.c`, or returns null if no identifier starts here. */
  dottedName(): string | null {
    const first = this.identifier();
    if (first === null) return null;
    let name = first;
    for (;;) {
      this.skipTrivia();
      if (this.peek() !== '.') return name;
      const save = this.pos;
      this.pos++;
      const next = this.identifier();
      if (next === null) {
        this.pos = save;
        return name;
      }
      name += `.${next}`;
    }
  }

  /** Consumes `c` (after trivia) and returns true, or returns false without moving. */
  accept(c: string): boolean {
    this.skipTrivia();
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  /**
   * Returns the offset just past the bracket that closes the one at `open`, stepping
   * over strings and comments.
   */
  matchingClose(open: number): number {
    const t = this.text;
    const stack: number[] = [open];
    let i = open + 1;
    while (i < t.length) {
      const c = t[i]!;
      if (c === '"' || c === "'" || c === '`') {
        i = this.stringEnd(i);
        continue;
      }
      if (c === '/' && t[i + 1] === '/') {
        const end = t.indexOf('\n', i);
        i = end < 0 ? t.length : end + 1;
        continue;
      }
      if (c === '/' && t[i + 1] === '*') {
        const end = t.indexOf('*/', i + 2);
        if (end < 0) throw new SyntaxProblem(i, "this comment is never closed; end it with '*/'");
        i = end + 2;
        continue;
      }
      if (c === '{' || c === '[' || c === '(') {
        stack.push(i);
      } else if (c === '}' || c === ']' || c === ')') {
        const opener = stack.pop()!;
        const expected = CLOSER[t[opener]!]!;
        if (c !== expected) {
          throw new SyntaxProblem(i, `'${c}' does not match the '${t[opener]}' before it; expected '${expected}'`);
        }
        if (stack.length === 0) return i + 1;
      }
      i++;
    }
    const opener = stack[stack.length - 1]!;
    throw new SyntaxProblem(opener, `this '${t[opener]}' is never closed; add '${CLOSER[t[opener]!]}'`);
  }

  /** Offset just past the string literal whose opening quote is at `start`. */
  stringEnd(start: number): number {
    const t = this.text;
    const quote = t[start];
    let i = start + 1;
    while (i < t.length) {
      const c = t[i];
      if (c === '\\') i += 2;
      else if (c === quote) return i + 1;
      else if (c === '\n' && quote !== '`') break;
      else i++;
    }
    throw new SyntaxProblem(start, `this string is never closed; end it with ${quote}`);
  }

  /** Text of the statement starting at `start`, shortened, for error messages. */
  statementExcerpt(start: number): string {
    const rest = this.text.slice(start);
    const end = rest.search(/[;\n]/);
    const line = (end < 0 ? rest : rest.slice(0, end)).trim();
    return line.length > 40 ? `${line.slice(0, 40)}...` : line;
  }
}

/** Offsets of the comma-separated items directly inside the brackets [open, close). */
export function topLevelItems(reader: Reader, open: number, close: number): { start: number; end: number }[] {
  const items: { start: number; end: number }[] = [];
  const text = reader.text;
  const saved = reader.pos;
  reader.pos = open + 1;
  for (;;) {
    reader.skipTrivia();
    if (reader.pos >= close - 1) break;
    const start = reader.pos;
    // Walk to the next comma at this level, jumping over nested brackets and strings.
    while (reader.pos < close - 1) {
      const c = text[reader.pos]!;
      if (c === ',') break;
      if (c === '{' || c === '[' || c === '(') {
        reader.pos = reader.matchingClose(reader.pos);
      } else if (c === '"' || c === "'") {
        reader.pos = reader.stringEnd(reader.pos);
      } else if (c === '/' && (text[reader.pos + 1] === '/' || text[reader.pos + 1] === '*')) {
        reader.skipTrivia();
      } else {
        reader.pos++;
      }
    }
    items.push({ start, end: reader.pos });
    if (text[reader.pos] === ',') reader.pos++;
  }
  reader.pos = saved;
  return items;
}

/** The key written at the start of an object entry (`key:`, `'key':` or `"key":`). */
export function entryKey(text: string, start: number): string | null {
  const m = /^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?:[\w$]|\\u[0-9a-fA-F]{4})+)/.exec(text.slice(start, start + 200));
  if (m === null) return null;
  const written = m[0];
  if (!written.includes('\\')) return /^["']/.test(written) ? written.slice(1, -1) : written;
  // A key written with escapes ("layer\u0073", 'l\ayers', l\u0061yers) is read as JSON5
  // reads it, so it matches the key of the parsed object.
  try {
    return Object.keys(JSON5.parse(`{${written}:0}`) as object)[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Parses one object or array literal [start, end) with JSON5, reporting syntax errors at
 * their place in the whole text.
 */
export function parseLiteral(reader: Reader, lines: LineMap, start: number, end: number): unknown {
  const source = reader.text.slice(start, end);
  // Strict JSON reads the same under JSON.parse, natively and many times faster than JSON5
  // (a large pasted JSON definition takes milliseconds, not a second); anything else, or a
  // syntax error to report, goes to JSON5.
  try {
    return JSON.parse(source);
  } catch {
    // Not strict JSON: read it as JSON5 below.
  }
  try {
    return JSON5.parse(source);
  } catch (e) {
    const err = e as { message?: string; lineNumber?: number; columnNumber?: number };
    const base = lines.at(start);
    const relLine = err.lineNumber ?? 1;
    // JSON5 reports an unexpected line break at column 0 of the next line; columns start at 1.
    const relColumn = Math.max(1, err.columnNumber ?? 1);
    const line = base.line + relLine - 1;
    const column = relLine === 1 ? base.column + relColumn - 1 : relColumn;
    const what = (err.message ?? 'invalid literal').replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
    throw new SpecError([
      {
        message:
          `line ${line}, column ${column}: ${what}; check for a missing comma, bracket or quote ` +
          '(values must be plain numbers, quoted strings, true, false or null: nothing is evaluated)',
        line,
        column,
      },
    ]);
  }
}

export function objectPosition(reader: Reader, lines: LineMap, open: number, close: number): ObjectPosition {
  const fields: Record<string, TextPosition> = {};
  for (const item of topLevelItems(reader, open, close)) {
    const key = entryKey(reader.text, item.start);
    if (key !== null && !Object.hasOwn(fields, key)) {
      Object.defineProperty(fields, key, { value: lines.at(item.start), enumerable: true, writable: true });
    }
  }
  return { ...lines.at(open), fields };
}

/** A literal argument or element: its parsed value and where it was written. */
export interface Literal {
  value: unknown;
  open: number;
  close: number;
}

export type Argument = { kind: 'name'; name: string; offset: number } | ({ kind: 'literal' } & Literal);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readLiteral(reader: Reader, lines: LineMap): Literal {
  reader.skipTrivia();
  const open = reader.pos;
  const close = reader.matchingClose(open);
  reader.pos = close;
  return { value: parseLiteral(reader, lines, open, close), open, close };
}

/** Reads `( arg, arg )` where each argument is a name or an object/array literal. */
export function readArguments(reader: Reader, lines: LineMap): Argument[] {
  const args: Argument[] = [];
  if (!reader.accept('(')) throw new SyntaxProblem(reader.pos, "expected '(' here");
  for (;;) {
    reader.skipTrivia();
    if (reader.accept(')')) return args;
    const c = reader.peek();
    if (c === '{' || c === '[') {
      args.push({ kind: 'literal', ...readLiteral(reader, lines) });
    } else {
      const offset = reader.pos;
      const name = reader.dottedName();
      if (name === null) {
        throw new SyntaxProblem(
          offset,
          'expected a name or an object literal {...} here; other expressions are not evaluated',
        );
      }
      args.push({ kind: 'name', name, offset });
    }
    if (reader.accept(',')) continue;
    if (reader.accept(')')) return args;
    reader.skipTrivia();
    throw new SyntaxProblem(reader.pos, "expected ',' or ')' here");
  }
}
