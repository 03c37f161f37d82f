import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { parseNetwork, SEED_DEFINITION_TEXT } from '../../engine';
import type { NetworkPreset } from '../../engine';
import { useDashboard, useDashboardActions } from '../../state/store';
import type { DatasetIdentity } from '../../training/protocol';
import { Card } from '../common/Card';
import { checkModel, firstProblem } from './form-check';
import { modelFromText, modelText, type NetworkFormModel } from './form-model';
import { NetworkForm } from './NetworkForm';
import { NetworkPreviewTable } from './NetworkPreviewTable';
import { describeProblem, previewDefinition, type DefinitionProblem, type NetworkPreview } from './network-preview';
import { PresetPicker } from './PresetPicker';
import { hasComments } from './snippet-text';
import './network-editor.css';

const PREVIEW_DELAY_MS = 250;

type EditorView = 'code' | 'form';

/** The form in use, with the code it was opened from. */
interface FormState {
  model: NetworkFormModel;
  /** The code text when the form was opened, and what the form wrote for it then. */
  origin: { text: string; generated: string };
}

function openForm(text: string): FormState {
  const model = modelFromText(text);
  return { model, origin: { text, generated: modelText(model) } };
}

/**
 * The definition editor, as code or as a form over the same definition. "Change network"
 * rebuilds the net and trainer from whichever view is active; a definition the engine
 * rejects is shown with its message (and line, in the code view) and the running session
 * is untouched.
 */
export function NetworkEditor() {
  const definitionInForce = useDashboard((s) => s.network?.definitionText ?? null);
  const actions = useDashboardActions();
  const textareaId = useId();
  const panelId = useId();
  const codeTabId = useId();
  const formTabId = useId();
  const [view, setView] = useState<EditorView>('code');
  const [text, setText] = useState(SEED_DEFINITION_TEXT);
  const [form, setForm] = useState<FormState | null>(null);
  /** True once the person has changed something not yet applied; then the store never overwrites it. */
  const [edited, setEdited] = useState(false);
  const [problem, setProblem] = useState<DefinitionProblem | null>(null);
  const [switchProblem, setSwitchProblem] = useState<string | null>(null);
  const [confirmingDrop, setConfirmingDrop] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formText = useMemo(() => (form === null ? null : modelText(form.model)), [form]);
  const effectiveText = view === 'form' && formText !== null ? formText : text;
  const dataset = useDashboard((s) => s.dataset);
  const preview = useDebouncedPreview(effectiveText, dataset);
  // The form view words a problem by row and field; the code's line numbers mean nothing there.
  const formProblem = useMemo(() => (view === 'form' && form !== null ? firstProblem(checkModel(form.model)) : null), [view, form]);

  // Follow the definition in force when it changes (e.g. a snapshot was loaded), unless the
  // editor holds unapplied edits. Only a change of the store's text triggers this.
  const latest = useRef({ edited, view, effectiveText });
  latest.current = { edited, view, effectiveText };
  useEffect(() => {
    const now = latest.current;
    if (definitionInForce === null || now.edited || definitionInForce === now.effectiveText) return;
    setText(definitionInForce);
    if (now.view === 'form') setForm(openForm(definitionInForce));
  }, [definitionInForce]);

  /** Puts a whole definition into the editor, in whichever view is active. */
  function showDefinition(definition: string) {
    setText(definition);
    if (view === 'form') setForm(openForm(definition));
    setProblem(null);
    setSwitchProblem(null);
    setConfirmingDrop(false);
  }

  function requestView(next: EditorView, commentsConfirmed = false) {
    if (next === view) return;
    setStatus(null);
    if (next === 'code') {
      // An untouched form gives back the code exactly as it was, comments and layout included.
      if (form !== null && formText !== null) setText(formText === form.origin.generated ? form.origin.text : formText);
      setForm(null);
      setView('code');
      return;
    }
    let opened: FormState;
    try {
      opened = openForm(text);
    } catch (err) {
      setSwitchProblem(describeProblem(text, err).message);
      return;
    }
    if (!commentsConfirmed && hasComments(text)) {
      setConfirmingDrop(true);
      return;
    }
    setConfirmingDrop(false);
    setSwitchProblem(null);
    setForm(opened);
    setView('form');
  }

  async function setNetwork() {
    setStatus(null);
    const definition = effectiveText;
    // Checked here first so the error can point at the line; the worker checks again.
    try {
      parseNetwork(definition);
    } catch (err) {
      const found = describeProblem(definition, err);
      // The form marks the rows itself; a line of the code it writes would not help there.
      setProblem(view === 'code' ? found : { message: formProblem ?? found.message, line: null, lineText: null });
      return;
    }
    setBusy(true);
    const result = await actions.setNetwork(definition);
    setBusy(false);
    if (result.ok) {
      setProblem(null);
      setEdited(false);
      if (view === 'form') setText(definition);
      setStatus('Network changed. Training restarted from fresh weights.');
    } else {
      setProblem({ message: result.error, line: null, lineText: null });
    }
  }

  function onApplyShortcut(event: KeyboardEvent) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void setNetwork();
    }
  }

  function onTabKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const target = event.currentTarget.id === codeTabId ? formTabId : codeTabId;
    const wanted = event.key === 'Home' ? codeTabId : event.key === 'End' ? formTabId : target;
    document.getElementById(wanted)?.focus();
  }

  function loadPreset(preset: NetworkPreset) {
    showDefinition(preset.text);
    setEdited(true);
    setStatus(`Loaded the preset “${preset.name}”. Press “Change network” to train it.`);
  }

  return (
    <Card title="Instantiate a Network and Trainer" className="editor-card">
      <div className="network-editor__bar">
        <div role="tablist" aria-label="Editor view" className="editor-tabs">
          {(['code', 'form'] as const).map((tab) => (
            <button
              key={tab}
              type="button"
              role="tab"
              id={tab === 'code' ? codeTabId : formTabId}
              className="editor-tabs__tab"
              aria-selected={view === tab}
              aria-controls={panelId}
              tabIndex={view === tab ? 0 : -1}
              onClick={() => requestView(tab)}
              onKeyDown={onTabKeyDown}
            >
              {tab === 'code' ? 'Code' : 'Form'}
            </button>
          ))}
        </div>
        <PresetPicker text={effectiveText} dataset={dataset} onLoad={loadPreset} />
      </div>
      {confirmingDrop ? (
        <CommentWarning
          onConfirm={() => requestView('form', true)}
          onCancel={() => {
            setConfirmingDrop(false);
            document.getElementById(codeTabId)?.focus();
          }}
        />
      ) : null}
      {switchProblem !== null ? (
        <div className="notice notice--error" role="alert">
          <p>The form cannot show this definition: {switchProblem}</p>
        </div>
      ) : null}
      <div
        role="tabpanel"
        id={panelId}
        aria-labelledby={view === 'code' ? codeTabId : formTabId}
        className="network-editor__panel"
        onKeyDown={onApplyShortcut}
      >
        {view === 'form' && form !== null ? (
          <>
            <p className="muted">
              One row per layer definition, numbered as the engine’s messages number them. Each row shows what it
              outputs as you edit; press “Change network” (Ctrl+Enter) to train it.
            </p>
            <NetworkForm
              model={form.model}
              onChange={(model) => {
                setForm({ ...form, model });
                setEdited(true);
                setProblem(null);
                setStatus(null);
              }}
            />
          </>
        ) : (
          <>
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
                setSwitchProblem(null);
                setConfirmingDrop(false);
                setStatus(null);
              }}
            />
          </>
        )}
      </div>
      <div className="button-row">
        <button type="button" className="button button--primary" onClick={() => void setNetwork()} disabled={busy}>
          Change network
        </button>
        {edited ? (
          <button
            type="button"
            className="button"
            onClick={() => {
              showDefinition(definitionInForce ?? SEED_DEFINITION_TEXT);
              setEdited(false);
              setStatus(null);
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
      <NetworkPreviewSection preview={preview} formProblem={formProblem} />
    </Card>
  );
}

/**
 * Asks before opening the form on code with comments: the form has no place for them, so
 * the code it writes back leaves them out. Focus goes to the choice; Escape cancels.
 */
function CommentWarning({ onConfirm, onCancel }: { onConfirm(): void; onCancel(): void }) {
  const titleId = useId();
  const bodyId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => confirmRef.current?.focus(), []);
  return (
    <div
      className="notice notice--warning comment-warning"
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onCancel();
        }
      }}
    >
      <p id={titleId} className="comment-warning__title">
        Comments in the code will be lost if you edit in the form.
      </p>
      <p id={bodyId}>
        The form keeps every layer and trainer option, but the code it writes back has no comments. Switching back
        without changing anything restores the code as it is now.
      </p>
      <div className="button-row">
        <button ref={confirmRef} type="button" className="button button--primary" onClick={onConfirm}>
          Open the form
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Keep the code view
        </button>
      </div>
    </div>
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

function NetworkPreviewSection({ preview, formProblem }: { preview: NetworkPreview | null; formProblem: string | null }) {
  return (
    <section className="preview" aria-label="Preview of the definition">
      <h3>Preview</h3>
      {preview === null ? null : preview.ok ? (
        <>
          {preview.misfit !== null ? <p className="preview__problem">Does not fit the dataset: {preview.misfit}</p> : null}
          <NetworkPreviewTable layers={preview.layers} totalParams={preview.totalParams} />
        </>
      ) : (
        <p className="preview__problem">Not valid yet: {formProblem ?? preview.problem.message}</p>
      )}
    </section>
  );
}

/** Re-parses the text a moment after typing stops, so long edits do not parse on every key; a new dataset re-checks at once. */
function useDebouncedPreview(text: string, dataset: DatasetIdentity): NetworkPreview | null {
  const [preview, setPreview] = useState<NetworkPreview | null>(() => previewDefinition(text, dataset));
  const checked = useRef({ text, dataset });
  useEffect(() => {
    const last = checked.current;
    if (last.text === text && last.dataset === dataset) return;
    checked.current = { text, dataset };
    if (last.text === text) {
      setPreview(previewDefinition(text, dataset));
      return;
    }
    const timer = setTimeout(() => setPreview(previewDefinition(text, dataset)), PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, dataset]);
  return preview;
}
