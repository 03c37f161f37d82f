/**
 * `npm run export -- --model SNAPSHOT.json --out MODEL.onnx`: a ConvNetJS snapshot as an
 * ONNX model. See scripts/lib/export-cli.ts (EXPORT_HELP).
 */
import { runExportCli } from './lib/export-cli';

process.exitCode = await runExportCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: process.stderr,
});
