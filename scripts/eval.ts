/**
 * `npm run eval -- --model SNAPSHOT.json [--eval 4crop|center|both]`: test accuracy of a
 * ConvNetJS-format snapshot on the 10k MNIST test set.
 */
import { runEvalCli } from './lib/cli';

process.exitCode = await runEvalCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: process.stderr,
});
