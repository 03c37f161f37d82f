/**
 * Writes raw layer definitions and trainer options (as a person wrote them, valid or not)
 * as the ConvNetJS snippet the code box reads. Unlike engine/definition-text.ts, which
 * writes a resolved (valid) network, this keeps every field exactly as given, in the order
 * given, so the form can hand an unfinished definition to the code box without loss.
 */
import JSON5 from 'json5';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function keyLiteral(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON5.stringify(key, { quote: "'" });
}

/** A value as the snippet reader (JSON5) reads it back: numbers bare, strings single-quoted. */
export function valueLiteral(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return JSON5.stringify(value, { quote: "'" }) ?? 'null';
}

export function objectLiteral(entries: ReadonlyArray<readonly [string, unknown]>): string {
  const parts = entries
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${keyLiteral(key)}:${valueLiteral(value)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * The snippet in the layout of the demo (and of SEED_DEFINITION_TEXT), so the seed network
 * read into the form and written back comes out character for character the same.
 */
export function snippetText(
  layers: ReadonlyArray<ReadonlyArray<readonly [string, unknown]>>,
  trainer: ReadonlyArray<readonly [string, unknown]>,
): string {
  const lines = ['layer_defs = [];'];
  for (const layer of layers) lines.push(`layer_defs.push(${objectLiteral(layer)});`);
  lines.push('', 'net = new convnetjs.Net();', 'net.makeLayers(layer_defs);', '');
  lines.push(`trainer = new convnetjs.SGDTrainer(net, ${objectLiteral(trainer)});`);
  return `${lines.join('\n')}\n`;
}

/**
 * Whether the definition text holds a // or /* comment (outside string literals). The
 * form has no place for comments, so switching to it warns before they are dropped.
 */
export function hasComments(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'" || c === '`') {
      // Skip to the closing quote; an unclosed string runs to the end of its line.
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n' && c !== '`') break;
        i++;
      }
    } else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      return true;
    }
  }
  return false;
}
