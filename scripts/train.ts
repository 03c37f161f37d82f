/**
 * `npm run train -- [options]`: trains a network on MNIST in Node with the same engine
 * and data code as the dashboard. See scripts/lib/cli-args.ts (TRAIN_HELP) for options.
 */
import { runTrainCli } from './lib/cli';

process.exitCode = await runTrainCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: process.stderr,
});
