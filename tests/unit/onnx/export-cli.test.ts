import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExportCli } from '../../../scripts/lib/export-cli';
import { Net } from '../../../src/engine/net';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../../src/engine/parse';
import { Rng } from '../../../src/engine/rng';
import { netToJSON } from '../../../src/engine/snapshot';
import { Volume } from '../../../src/engine/volume';
import { maxAbsDifference, ortSession, runOrt } from './ort-helpers';

async function run(argv: string[]): Promise<{ code: number; stdout: string[]; stderr: string }> {
  const stdout: string[] = [];
  let stderr = '';
  const code = await runExportCli(argv, {
    stdout: (line) => stdout.push(line),
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
  });
  return { code, stdout, stderr };
}

describe('npm run export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-cli-'));

  it('writes a snapshot as an ONNX model that ONNX Runtime runs like the engine', async () => {
    const net = new Net(parseNetwork(SEED_DEFINITION_TEXT).layers, new Rng(9));
    const model = join(dir, 'net.json');
    const out = join(dir, 'net.onnx');
    writeFileSync(model, JSON.stringify(netToJSON(net)));
    const { code, stdout } = await run(['--model', model, '--out', out]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout[stdout.length - 1])).toMatchObject({ out, layers: 9, inputShape: [1, 24, 24], outputs: 10 });
    const x = new Volume(24, 24, 1);
    const rng = new Rng(2);
    for (let i = 0; i < x.w.length; i++) x.w[i] = rng.random() - 0.5;
    const ortOut = await runOrt(await ortSession(new Uint8Array(readFileSync(out))), x.w.slice(), [1, 1, 24, 24]);
    expect(maxAbsDifference(net.forward(x, false).w, ortOut)).toBeLessThan(1e-5);
  });

  it('refuses a file that is not a snapshot in one line, without echoing its content', async () => {
    const model = join(dir, 'notes.json');
    writeFileSync(model, 'my private notes, not JSON');
    const { code, stderr } = await run(['--model', model, '--out', join(dir, 'x.onnx')]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--model ${model}: is not JSON`);
    expect(stderr).not.toContain('private');
  });

  it('names a missing option and a missing file', async () => {
    expect((await run(['--model', join(dir, 'net.json')])).stderr).toContain('--out is required');
    const missing = await run(['--model', join(dir, 'absent.json'), '--out', join(dir, 'x.onnx')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read it (no such file)');
  });
});
