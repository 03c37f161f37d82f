import { useCallback, useContext, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { DashboardContext, useDashboard, useDashboardActions } from '../../state/store';
import type { UserImageResult } from '../../state/types';
import { Card } from '../common/Card';
import { ErrorNotice } from '../common/ErrorNotice';
import { UserImageGuess, UserImagePicture } from '../common/UserImage';
import { useImageShape } from '../common/class-names';
import { drawingToGlyph, PAD_SIZE, PEN_WIDTH, type PadPoint } from './strokes';
import './draw.css';

/** While drawing, the prediction refreshes at most this often, ms. */
export const LIVE_PREDICTION_MS = 100;

/**
 * A pad to draw a digit on with a mouse, finger or pen. The drawing is turned into an
 * MNIST-style image at the dataset's size and classified live (throttled) while it is
 * drawn; the layer views show its activations until "Clear". A drawing is a light pen on
 * black, so the pad is offered for grayscale datasets only.
 */
export function DrawDigit() {
  const channels = useDashboard((s) => s.dataset.channels);
  const name = useDashboard((s) => s.dataset.name);
  if (channels !== 1) {
    return (
      <Card title="Draw an image" className="draw-card">
        <p className="muted">
          The drawing pad is for grayscale datasets; {name} has colour images, so test one with an image from your computer.
        </p>
      </Card>
    );
  }
  return <DrawPad />;
}

function DrawPad() {
  const shape = useImageShape();
  const isMnistShape = shape.width === 28 && shape.height === 28;
  // Digits only for MNIST itself: another 28x28 gray set (Fashion-MNIST, letters) is drawn and prepared the same way.
  const isMnist = useDashboard((s) => s.dataset.builtIn === 'mnist');
  const actions = useDashboardActions();
  const store = useContext(DashboardContext);
  const userImage = useDashboard((s) => s.userImage);
  const hasNetwork = useDashboard((s) => s.network !== null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const strokes = useRef<PadPoint[][]>([]);
  const drawing = useRef(false);
  const [hasDrawing, setHasDrawing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /**
   * The store's user image as this pad's last answer left it: shown only while the store
   * still holds that very object (an uploaded picture replaces it).
   */
  const [answered, setAnswered] = useState<UserImageResult | null>(null);
  /** Bumped by Clear, so an answer for a cleared drawing is taken back. */
  const generation = useRef(0);

  // Throttle state: one classification in flight at a time, the latest drawing always lands.
  const lastSentAt = useRef(-Infinity);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef(false);
  const dirty = useRef(false);

  const classifyNow = useCallback(async () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    if (inFlight.current) {
      dirty.current = true;
      return;
    }
    dirty.current = false;
    const digit = drawingToGlyph(strokes.current, shape);
    if (!digit.ok) return;
    inFlight.current = true;
    lastSentAt.current = performance.now();
    const mine = generation.current;
    try {
      const result = await actions.classifyImage(digit.pixels);
      if (mine !== generation.current) {
        if (result.ok) actions.clearInspectedImage();
        return;
      }
      setError(result.ok ? null : result.error);
      if (result.ok) setAnswered(store?.getState().userImage ?? null);
    } finally {
      inFlight.current = false;
    }
    // Strokes drawn while the answer was on its way.
    if (dirty.current && strokes.current.length > 0) void classifyNow();
  }, [actions, store, shape]);

  const classifySoon = useCallback(() => {
    if (timer.current !== null) return;
    const wait = Math.max(0, lastSentAt.current + LIVE_PREDICTION_MS - performance.now());
    timer.current = setTimeout(() => void classifyNow(), wait);
  }, [classifyNow]);

  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  useEffect(() => paintBackground(canvasRef.current), []);

  function padPoint(e: { clientX: number; clientY: number }): PadPoint {
    const rect = canvasRef.current!.getBoundingClientRect();
    // The canvas may be shown smaller than its PAD_SIZE pixels (narrow screens).
    const sx = rect.width > 0 ? PAD_SIZE / rect.width : 1;
    const sy = rect.height > 0 ? PAD_SIZE / rect.height : 1;
    return { x: (e.clientX - rect.left) * sx, y: (e.clientY - rect.top) * sy };
  }

  function onPointerDown(e: PointerEvent<HTMLCanvasElement>) {
    if (!hasNetwork || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture?.(e.pointerId);
    drawing.current = true;
    const point = padPoint(e);
    strokes.current.push([point]);
    paintSegment(canvasRef.current, point, point);
    setHasDrawing(true);
    classifySoon();
  }

  function onPointerMove(e: PointerEvent<HTMLCanvasElement>) {
    if (!drawing.current) return;
    const stroke = strokes.current[strokes.current.length - 1];
    // Fast pens deliver several positions per event; use them all for a smooth line.
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    for (const event of events.length > 0 ? events : [e]) {
      const point = padPoint(event);
      paintSegment(canvasRef.current, stroke[stroke.length - 1], point);
      stroke.push(point);
    }
    classifySoon();
  }

  function onPointerUp() {
    if (!drawing.current) return;
    drawing.current = false;
    void classifyNow();
  }

  function clear() {
    strokes.current = [];
    drawing.current = false;
    dirty.current = false;
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    paintBackground(canvasRef.current);
    setHasDrawing(false);
    setError(null);
    generation.current++;
    if (answered && userImage === answered) actions.clearInspectedImage();
    setAnswered(null);
  }

  function onKeyDown(e: KeyboardEvent<HTMLCanvasElement>) {
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      clear();
    }
  }

  const shown = hasDrawing && userImage && userImage === answered ? userImage : null;
  return (
    <Card title={isMnist ? 'Draw a digit' : 'Draw an image'} className="draw-card">
      <p className="muted">
        {isMnistShape
          ? `Draw one ${isMnist ? 'digit' : 'shape'} with a mouse, finger or pen. It is prepared the MNIST way (scaled to fit 20x20, centred by its centre of mass in 28x28)`
          : `Draw with a mouse, finger or pen. It is prepared the MNIST way (scaled to fit ${glyphBoxText(shape)}, centred by its centre of mass in ${shape.width}x${shape.height})`}{' '}
        and the prediction follows as you draw; the network view shows its activations.
      </p>
      <div className="draw">
        <canvas
          ref={canvasRef}
          className="draw__pad"
          width={PAD_SIZE}
          height={PAD_SIZE}
          role="img"
          aria-label={`Drawing pad: draw ${isMnist ? 'a digit' : 'a shape'} here with a mouse, finger or pen; Delete clears it`}
          tabIndex={0}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          onKeyDown={onKeyDown}
        />
        <div className="draw__result" aria-live="polite">
          {shown ? (
            <>
              <UserImageGuess top3={shown.top3} />
              <UserImagePicture pixels={shown.pixels} size={84} label="Your drawing as the network sees it" />
            </>
          ) : (
            <p className="muted">{hasNetwork ? 'The prediction appears here.' : 'Waiting for the network…'}</p>
          )}
        </div>
      </div>
      <div className="button-row">
        <button type="button" className="button" onClick={clear} disabled={!hasDrawing}>
          Clear
        </button>
      </div>
      <ErrorNotice message={error} />
    </Card>
  );
}

/** The box a drawing is scaled to fit: 20/28 of the frame's shorter side, as MNIST's 20 of 28. */
function glyphBoxText(shape: { width: number; height: number }): string {
  const side = Math.max(1, Math.round((20 / 28) * Math.min(shape.width, shape.height)));
  return `${side}x${side}`;
}

/** MNIST's look: a light pen on black. */
function paintBackground(canvas: HTMLCanvasElement | null): void {
  const ctx = canvas?.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
}

function paintSegment(canvas: HTMLCanvasElement | null, from: PadPoint, to: PadPoint): void {
  const ctx = canvas?.getContext('2d');
  if (!ctx) return;
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = PEN_WIDTH;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  // A zero-length line draws nothing in some browsers; nudge it so a tap leaves a dot.
  ctx.lineTo(to.x + (from.x === to.x && from.y === to.y ? 0.01 : 0), to.y);
  ctx.stroke();
}
