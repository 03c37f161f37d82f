import { useId, useState } from 'react';
import { useBusy } from '../common/use-busy';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { downloadFile } from './download';
import { ErrorNotice } from '../common/ErrorNotice';
import { FileField } from '../common/FileField';
import { errorMessage } from '../../engine';

type Outcome = { kind: 'ok'; message: string } | { kind: 'error'; message: string } | null;

/**
 * Save the network as ConvNetJS JSON (file and copyable text) or as an ONNX model, and load
 * either back from a file (told apart by their first bytes) or JSON from pasted text. A file
 * the worker rejects is reported and changes nothing.
 */
export function SnapshotPanel() {
  const actions = useDashboardActions();
  const hasNetwork = useDashboard((s) => s.network !== null);
  const savedId = useId();
  const pasteId = useId();
  const [saved, setSaved] = useState<string | null>(null);
  const [pasted, setPasted] = useState('');
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, whileBusy] = useBusy();

  /** Runs one of the panel's actions with its buttons disabled, and shows how it ended. */
  const act = (failure: string, action: () => Promise<Outcome>) =>
    void whileBusy(async () => {
      try {
        setOutcome(await action());
      } catch (err) {
        setOutcome({ kind: 'error', message: `${failure}: ${errorMessage(err)}` });
      }
    })();

  const save = () =>
    act('Could not save the snapshot', async () => {
      const text = await actions.saveSnapshot();
      setSaved(text);
      downloadFile(text, 'mnist-convnet-snapshot.json', 'application/json');
      return { kind: 'ok', message: `Snapshot saved (${Math.round(text.length / 1024)} KB).` };
    });

  const exportOnnx = () =>
    act('Could not export ONNX', async () => {
      const result = await actions.saveOnnx();
      if (!result.ok) return { kind: 'error', message: `Could not export ONNX: ${result.error}` };
      downloadFile(result.bytes, 'mnist-convnet.onnx', 'application/octet-stream');
      return { kind: 'ok', message: `ONNX model exported (${Math.max(1, Math.round(result.bytes.length / 1024))} KB).` };
    });

  async function loadText(text: string, source: string): Promise<Outcome> {
    if (text.trim() === '') return { kind: 'error', message: 'Nothing to load: paste a snapshot or choose a file first.' };
    const result = await actions.loadSnapshot(text);
    return result.ok ? { kind: 'ok', message: `Loaded the snapshot from ${source}.` } : { kind: 'error', message: result.error };
  }

  const loadFile = (file: File | undefined) => {
    if (!file) return;
    act(`Could not load ${file.name}`, async () => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch {
        return { kind: 'error', message: `Could not read ${file.name}.` };
      }
      if (looksLikeJson(bytes)) return loadText(new TextDecoder().decode(bytes), file.name);
      const result = await actions.loadOnnx(bytes);
      return result.ok ? { kind: 'ok', message: `Loaded the ONNX model from ${file.name}.` } : { kind: 'error', message: `${file.name}: ${result.error}` };
    });
  };

  return (
    <Card title="Snapshot" className="snapshot-card">
      <p className="muted">
        Weights in ConvNetJS's JSON format, so they load in ConvNetJS too; or the network as an ONNX model for ONNX Runtime,
        PyTorch and other tools (a file of either kind loads back).
      </p>
      <div className="button-row">
        <button type="button" className="button button--primary" onClick={save} disabled={busy || !hasNetwork}>
          Save snapshot
        </button>
        <button type="button" className="button" onClick={exportOnnx} disabled={busy || !hasNetwork}>
          Export ONNX
        </button>
        {saved !== null ? (
          <button type="button" className="button" onClick={() => void copyText(saved, setOutcome)}>
            Copy JSON
          </button>
        ) : null}
      </div>
      {saved !== null ? (
        <div className="field">
          <label htmlFor={savedId}>Saved snapshot JSON</label>
          <textarea id={savedId} className="code-box code-box--short" readOnly value={saved} rows={4} onFocus={(e) => e.target.select()} />
        </div>
      ) : null}

      <FileField label="Snapshot or ONNX file" accept="application/json,.json,.onnx" disabled={busy} onFile={loadFile} />
      <div className="field">
        <label htmlFor={pasteId}>Or paste snapshot JSON</label>
        <textarea
          id={pasteId}
          className="code-box code-box--short"
          rows={4}
          value={pasted}
          spellCheck={false}
          onChange={(e) => setPasted(e.target.value)}
        />
      </div>
      <div className="button-row">
        <button type="button" className="button" onClick={() => act('Could not load the snapshot', () => loadText(pasted, 'the pasted text'))} disabled={busy}>
          Load snapshot
        </button>
      </div>
      <ErrorNotice message={outcome?.kind === 'error' ? outcome.message : null} />
      {outcome?.kind === 'ok' ? (
        <p className="notice notice--ok" role="status">
          {outcome.message}
        </p>
      ) : null}
    </Card>
  );
}

async function copyText(text: string, report: (o: Outcome) => void) {
  try {
    await navigator.clipboard.writeText(text);
    report({ kind: 'ok', message: 'Snapshot JSON copied to the clipboard.' });
  } catch {
    report({ kind: 'error', message: 'The browser did not allow copying; select the text and copy it by hand.' });
  }
}

/** A snapshot is JSON text (its first non-blank byte is '{'); an ONNX model is protobuf bytes, which never start so. */
function looksLikeJson(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0xef || byte === 0xbb || byte === 0xbf) continue;
    return byte === 0x7b;
  }
  return true;
}
