/**
 * `npm run export -- --model SNAPSHOT.json --out MODEL.onnx`: a ConvNetJS JSON snapshot
 * (as `npm run train -- --out` writes) as a standard ONNX model, with the MNIST
 * preprocessing, the digit class names and the network definition in its metadata.
 * Problems with the files are one line naming the flag, the file and what is wrong,
 * never the file's content.
 */
import { writeFileSync } from 'node:fs';
import { Net } from '../../src/engine/net';
import { DIGIT_CLASS_NAMES, exportOnnx, OnnxExportError } from '../../src/engine/onnx';
import { Rng } from '../../src/engine/rng';
import { netFromJSON, SnapshotError } from '../../src/engine/snapshot';
import { SpecError } from '../../src/engine/spec';
import { fileName, parseStrict, UsageError } from './cli-args';
import { runCommand, type CliIO } from './cli';
import { checkWritable, readText } from './model-files';

export const EXPORT_USAGE = 'usage: npm run export -- --model SNAPSHOT.json --out MODEL.onnx';

export const EXPORT_HELP = `${EXPORT_USAGE}

Writes a ConvNetJS JSON snapshot (from npm run train -- --out, the dashboard, or
ConvNetJS itself) as an ONNX model (opset 17, NCHW input [N, 1, 24, 24] for the seed
network). Its metadata holds the preprocessing (pixel/255 - 0.5, center crop), the
class names and the network definition; see docs/onnx.md. The last line of stdout is
one JSON object: {"out","bytes","layers","inputShape","outputs"}`;

const EXPORT_OPTIONS = {
  model: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export interface ExportResult {
  out: string;
  bytes: number;
  layers: number;
  /** [channels, height, width] of one input. */
  inputShape: [number, number, number];
  outputs: number;
}

/** The snapshot file as a Net; its content is never quoted back (JSON.parse's message would). */
function readModel(path: string): Net {
  const text = readText('model', path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--model ${path}: is not JSON; expected a ConvNetJS snapshot as npm run train -- --out writes`, false);
  }
  try {
    return netFromJSON(json, new Rng(0));
  } catch (error) {
    if (error instanceof SnapshotError || error instanceof SpecError) {
      throw new UsageError(`--model ${path}: ${error.message.replace(/\s*\n\s*/g, ' ')}`, false);
    }
    throw error;
  }
}

export function runExportCli(argv: readonly string[], io: CliIO): Promise<number> {
  return runCommand('export', EXPORT_USAGE, io, () => {
    const values = parseStrict(argv, EXPORT_OPTIONS);
    if (values.help) {
      io.stdout(EXPORT_HELP);
      return Promise.resolve();
    }
    const model = fileName('model', values.model);
    const out = fileName('out', values.out);
    if (!model) throw new UsageError('--model is required: the ConvNetJS JSON snapshot to export');
    if (!out) throw new UsageError('--out is required: the .onnx file to write');
    checkWritable('out', out);
    const net = readModel(model);
    const outputs = net.outputShape.depth;
    let bytes: Uint8Array;
    try {
      bytes = exportOnnx(net, { classNames: outputs === DIGIT_CLASS_NAMES.length ? DIGIT_CLASS_NAMES : undefined });
    } catch (error) {
      if (error instanceof OnnxExportError) throw new UsageError(`--model ${model}: ${error.message}`, false);
      throw error;
    }
    try {
      writeFileSync(out, bytes);
    } catch (error) {
      throw new UsageError(`--out ${out}: cannot write it (${(error as Error).message})`, false);
    }
    const { sx, sy, depth } = net.inputShape;
    const result: ExportResult = { out, bytes: bytes.length, layers: net.layers.length, inputShape: [depth, sy, sx], outputs };
    io.stdout(JSON.stringify(result));
    return Promise.resolve();
  });
}
