import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../engine/parse';
import { useDashboard, useDashboardActions } from '../../state/store';
import { Card } from '../common/Card';
import { NetworkPreviewTable } from './NetworkPreviewTable';
import { describeProblem, previewDefinition, type DefinitionProblem, type NetworkPreview } from './network-preview';

const PREVIEW_DELAY_MS = 250;

/**
 * The definition box. "Change network" rebuilds the net and trainer from it; a definition
 * the engine rejects is shown with its message and line, and the running session is untouched.
 */
export function NetworkEditor() {
  const definitionInForce = useDashboard((s) => s.network?.definitionText ?? null);
  const actions = useDashboardActions();
  const textareaId = useId();
  const [text, setText] = useState(SEED_DEFINITION_TEXT);
  /** True once the person has typed something not yet applied; then the store never overwrites it. */
  const [edited, setEdited] = useState(false);
  const [problem, setProblem] = useState<DefinitionProblem | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const preview = useDebouncedPreview(text);

  // Follow the definition in force when it changes (e.g. a snapshot was loaded), unless the
  // box holds unapplied edits. Only a change of the store's text triggers this, not `edited`.
  const editedRef = useRef(edited);
  editedRef.current = edited;
  useEffect(() => {
    if (definitionInForce !== null && !editedRef.current) setText(definitionInForce);
  }, [definitionInForce]);

  async function changeNetwork() {
    setStatus(null);
    // Checked here first so the error can point at the line; the worker checks again.
    try {
      parseNetwork(text);
    } catch (err) {
      setProblem(describeProblem(text, err));
      return;
    }
    setBusy(true);
    const result = await actions.changeNetwork(text);
    setBusy(false);
    if (result.ok) {
      setProblem(null);
      setEdited(false);
      setStatus('Network changed. Training restarted from fresh weights.');
    } else {
      setProblem({ message: result.error, line: null, lineText: null });
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void changeNetwork();
    }
  }

  return (
    <Card title="Instantiate a Network and Trainer" className="editor-card">
      <p className="muted">
        Edit the ConvNetJS-style definition (or paste JSON) and press “Change network” (Ctrl+Enter). The layers
        below update as you type.
      </p>
      <label htmlFor={textareaId} className="visually-hidden">
        Network definition
      </label>
      <textarea
        id={textareaId}
        className="code-box"
        value={text}
        rows={14}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        onChange={(e) => {
          setText(e.target.value);
          setEdited(true);
          // The outcome of the last attempt no longer describes the box; the preview takes over.
          setProblem(null);
          setStatus(null);
        }}
        onKeyDown={onKeyDown}
      />
      <div className="button-row">
        <button type="button" className="button button--primary" onClick={() => void changeNetwork()} disabled={busy}>
          Change network
        </button>
        {edited ? (
          <button
            type="button"
            className="button"
            onClick={() => {
              setText(definitionInForce ?? SEED_DEFINITION_TEXT);
              setEdited(false);
              setProblem(null);
            }}
          >
            Revert edits
          </button>
        ) : null}
      </div>
      {problem ? <ProblemAlert problem={problem} /> : null}
      {status && !problem ? (
        <p className="notice notice--ok" role="status">
          {status}
        </p>
      ) : null}
      <NetworkPreviewSection preview={preview} />
    </Card>
  );
}

function ProblemAlert({ problem }: { problem: DefinitionProblem }) {
  return (
    <div className="notice notice--error" role="alert">
      <p>The network was not changed: {problem.message}</p>
      {problem.line !== null && problem.lineText !== null ? (
        <pre className="notice__code">
          <span className="notice__line-number">{problem.line} │</span> {problem.lineText}
        </pre>
      ) : null}
    </div>
  );
}

function NetworkPreviewSection({ preview }: { preview: NetworkPreview | null }) {
  return (
    <section className="preview" aria-label="Preview of the definition">
      <h3>Preview</h3>
      {preview === null ? null : preview.ok ? (
        <NetworkPreviewTable layers={preview.layers} totalParams={preview.totalParams} />
      ) : (
        <p className="preview__problem">Not valid yet: {preview.problem.message}</p>
      )}
    </section>
  );
}

/** Re-parses the text a moment after typing stops, so long edits do not parse on every key. */
function useDebouncedPreview(text: string): NetworkPreview | null {
  const [preview, setPreview] = useState<NetworkPreview | null>(() => previewDefinition(text));
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => setPreview(previewDefinition(text)), PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return preview;
}
