import type { CSSProperties, KeyboardEvent, MouseEvent } from 'react';
import { GrayscaleCanvas } from '../common/GrayscaleCanvas';
import type { LayerSummary } from '../../training/protocol';
import { summarizeValues } from '../../training/layer-stats';

/** A position in the layer's output volume. */
export interface Cursor {
  x: number;
  y: number;
  channel: number;
}

/** Channels drawn about 170 px wide, whatever their size: a 24x24 map at 7x, 12x12 at 14x. */
export function inspectorScale(sx: number, sy: number): number {
  return Math.max(2, Math.min(16, Math.floor(170 / Math.max(sx, sy))));
}

/** Filter pictures are drawn about this many pixels a side. */
const FILTER_PIXELS = 40;
/** A filter's pictures (one per input channel) wrap within this width. */
const FILTER_BOX_MAX = 180;
/** Gap between a filter's pictures, and between the parts of a channel's figure (CSS: --space-2). */
const PICTURE_GAP = 2;
const FIGURE_GAP = 8;
/** The arrow between a filter and its channel is given this width (CSS: .inspector-channel__arrow). */
const ARROW_WIDTH = 16;

function filterScale(window: { sx: number; sy: number }): number {
  return Math.max(2, Math.floor(FILTER_PIXELS / Math.max(window.sx, window.sy)));
}

/** Each picture's 1 px border on either side (.gray-canvas). */
const CANVAS_BORDERS = 2;

/** Width of a filter's pictures as they wrap: as many a row as fit in FILTER_BOX_MAX. */
function filterBoxWidth(window: { sx: number; sy: number }, inDepth: number): number {
  const side = window.sx * filterScale(window) + CANVAS_BORDERS;
  const perRow = Math.max(1, Math.min(inDepth, Math.floor((FILTER_BOX_MAX + PICTURE_GAP) / (side + PICTURE_GAP))));
  return perRow * side + (perRow - 1) * PICTURE_GAP;
}

/** The cursor after a key press, or null when the key is not one of ours. Keeps the cursor inside the volume. */
export function moveCursor(cursor: Cursor, key: string, shape: { sx: number; sy: number; depth: number }): Cursor | null {
  const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
  const { x, y, channel } = cursor;
  switch (key) {
    case 'ArrowLeft':
      return { x: clamp(x - 1, shape.sx), y, channel };
    case 'ArrowRight':
      return { x: clamp(x + 1, shape.sx), y, channel };
    case 'ArrowUp':
      return { x, y: clamp(y - 1, shape.sy), channel };
    case 'ArrowDown':
      return { x, y: clamp(y + 1, shape.sy), channel };
    case 'PageUp':
      return { x, y, channel: clamp(channel - 1, shape.depth) };
    case 'PageDown':
      return { x, y, channel: clamp(channel + 1, shape.depth) };
    case 'Home':
      return { x: 0, y: 0, channel };
    default:
      return null;
  }
}

interface ChannelMapsProps {
  layer: LayerSummary;
  activations: Float32Array;
  /** conv only: the filters, filter f producing channel f. */
  weights: Float32Array | null;
  cursor: Cursor;
  onCursor(cursor: Cursor): void;
  /** Id of the element that reads out the value under the cursor. */
  readoutId: string;
}

/**
 * Every channel of a spatial layer enlarged, each conv filter beside the channel it
 * produces, and a cursor moved by the mouse or by the arrow keys (Page Up/Down: channel).
 */
export function ChannelMaps({ layer, activations, weights, cursor, onCursor, readoutId }: ChannelMapsProps) {
  const { sx, sy, depth } = layer.out;
  const scale = inspectorScale(sx, sy);
  // One range for the whole layer, so channels compare by eye (as in the overview).
  const summary = summarizeValues(activations);
  const range = { min: summary.min, max: summary.max };
  const filterSize = layer.type === 'conv' && layer.window ? layer.window.sx * layer.window.sy * layer.in.depth : 0;
  const showFilters = filterSize > 0 && weights !== null && weights.length === filterSize * depth;
  // Every figure is as wide as the widest, so the grid's columns line up (figures of
  // their own widths left ragged rows and a gap beside them).
  const figureWidth =
    sx * scale + CANVAS_BORDERS + (showFilters && layer.window ? filterBoxWidth(layer.window, layer.in.depth) + ARROW_WIDTH + 2 * FIGURE_GAP : 0);

  const onKeyDown = (event: KeyboardEvent) => {
    const next = moveCursor(cursor, event.key, layer.out);
    if (!next) return;
    event.preventDefault();
    onCursor(next);
  };
  const onPointer = (event: MouseEvent<HTMLElement>, channel: number) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const x = Math.max(0, Math.min(sx - 1, Math.floor((event.clientX - rect.left) / scale)));
    const y = Math.max(0, Math.min(sy - 1, Math.floor((event.clientY - rect.top) / scale)));
    if (x !== cursor.x || y !== cursor.y || channel !== cursor.channel) onCursor({ x, y, channel });
  };

  return (
    <div
      className="inspector-channels"
      role="group"
      tabIndex={0}
      aria-label={`Channels of ${layer.type} layer ${layer.index}. Arrow keys move the cursor, Page Up and Page Down change the channel.`}
      aria-describedby={readoutId}
      onKeyDown={onKeyDown}
      style={{ '--channel-figure-width': `${figureWidth}px` } as CSSProperties}
    >
      {Array.from({ length: depth }, (_, d) => (
        <figure className={d === cursor.channel ? 'inspector-channel inspector-channel--current' : 'inspector-channel'} key={d}>
          {showFilters && layer.window ? (
            <FilterPictures weights={weights!} filter={d} size={filterSize} window={layer.window} inDepth={layer.in.depth} />
          ) : null}
          {showFilters ? <span className="inspector-channel__arrow" aria-hidden="true">→</span> : null}
          <div
            className="inspector-channel__map"
            style={{ width: sx * scale, height: sy * scale }}
            data-testid={`channel-${d}`}
            onMouseMove={(e) => onPointer(e, d)}
            onMouseDown={(e) => onPointer(e, d)}
          >
            <GrayscaleCanvas values={activations} width={sx} height={sy} depth={depth} channel={d} scale={scale} range={range} />
            {d === cursor.channel ? (
              <span
                className="inspector-cursor"
                aria-hidden="true"
                style={{ left: cursor.x * scale, top: cursor.y * scale, width: scale, height: scale }}
              />
            ) : null}
          </div>
          <figcaption>{showFilters ? `filter ${d} → channel ${d}` : `channel ${d}`}</figcaption>
        </figure>
      ))}
    </div>
  );
}

/** Filter f's weights, one small picture per input channel, scaled to the filter's own range. */
function FilterPictures({
  weights,
  filter,
  size,
  window,
  inDepth,
}: {
  weights: Float32Array;
  filter: number;
  size: number;
  window: { sx: number; sy: number };
  inDepth: number;
}) {
  const offset = filter * size;
  const own = summarizeValues(weights.subarray(offset, offset + size));
  const scale = filterScale(window);
  return (
    <span
      className="inspector-filter"
      role="img"
      aria-label={`filter ${filter}: ${window.sx}x${window.sy}x${inDepth} weights`}
      style={{ width: filterBoxWidth(window, inDepth) }}
    >
      {Array.from({ length: inDepth }, (_, d) => (
        <GrayscaleCanvas
          key={d}
          values={weights}
          width={window.sx}
          height={window.sy}
          depth={inDepth}
          channel={d}
          offset={offset}
          scale={scale}
          range={{ min: own.min, max: own.max }}
        />
      ))}
    </span>
  );
}
