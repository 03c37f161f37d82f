/**
 * A chart as a PNG: the recharts SVG with its computed styles inlined (the page's CSS
 * variables and fonts do not travel with a standalone SVG), drawn through an Image from a
 * blob: URL onto a canvas, under the chart's title and its legend (recharts draws the
 * legend in HTML, outside the SVG). Needs no eval and no network: the CSP allows blob: images.
 */

/** SVG presentation properties worth copying from the live chart; the rest are defaults. */
const STYLE_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'visibility',
] as const;

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Twice the CSS size, so the image stays sharp on high-density screens and in slides. */
const PIXEL_RATIO = 2;
const PADDING = 16;
const TITLE_SIZE = 16;
const LEGEND_SIZE = 13;

interface LegendEntry {
  name: string;
  color: string;
}

/** Throws an Error a person can act on when the chart cannot be drawn. */
export async function chartPngBlob(container: HTMLElement, title: string): Promise<Blob> {
  // The plot's own SVG, not one of the legend's icons (which share its class).
  const svg = Array.from(container.querySelectorAll<SVGSVGElement>('svg.recharts-surface')).find(
    (surface) => !surface.closest('.recharts-legend-wrapper'),
  );
  if (!svg) throw new Error('The chart has not been drawn yet; wait for its first points.');
  const { width, height } = svg.getBoundingClientRect();
  if (!(width > 0 && height > 0)) throw new Error('The chart is not on screen; scroll to it and try again.');

  const page = getComputedStyle(container);
  const font = page.fontFamily || 'sans-serif';
  const textColor = page.color || '#000';
  const legend = legendEntries(container);
  const headerHeight = PADDING + TITLE_SIZE + (legend.length > 0 ? 8 + LEGEND_SIZE : 0) + 8;

  const imageWidth = width + 2 * PADDING;
  const imageHeight = height + headerHeight + PADDING;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(imageWidth * PIXEL_RATIO);
  canvas.height = Math.round(imageHeight * PIXEL_RATIO);
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw to a canvas, so the chart cannot be saved as PNG.');
  context.scale(PIXEL_RATIO, PIXEL_RATIO);
  context.fillStyle = backgroundOf(container);
  context.fillRect(0, 0, imageWidth, imageHeight);

  context.fillStyle = textColor;
  context.textBaseline = 'top';
  context.font = `600 ${TITLE_SIZE}px ${font}`;
  context.fillText(title, PADDING, PADDING);
  drawLegend(context, legend, PADDING, PADDING + TITLE_SIZE + 8, font, textColor);

  const image = await loadSvgImage(standaloneSvg(svg, width, height));
  context.drawImage(image, PADDING, headerHeight, width, height);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the PNG.'))), 'image/png'),
  );
}

/** A copy of the SVG that draws the same on its own: sizes set, computed styles inlined. */
export function standaloneSvg(svg: SVGSVGElement, width: number, height: number): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', SVG_NS);
  copy.setAttribute('width', String(width));
  copy.setAttribute('height', String(height));
  copy.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const originals = [svg, ...svg.querySelectorAll('*')];
  const copies = [copy, ...copy.querySelectorAll('*')];
  originals.forEach((original, i) => {
    const target = copies[i] as SVGElement | undefined;
    if (!target) return;
    const computed = getComputedStyle(original);
    for (const property of STYLE_PROPERTIES) {
      const value = computed.getPropertyValue(property);
      if (value) target.style.setProperty(property, value);
    }
  });
  return new XMLSerializer().serializeToString(copy);
}

function legendEntries(container: HTMLElement): LegendEntry[] {
  return Array.from(container.querySelectorAll<HTMLElement>('.recharts-legend-item')).map((item) => {
    // recharts colours each entry's text with its series colour.
    const text = item.querySelector<HTMLElement>('.recharts-legend-item-text') ?? item;
    return { name: (text.textContent ?? '').trim(), color: getComputedStyle(text).color };
  });
}

function drawLegend(context: CanvasRenderingContext2D, entries: LegendEntry[], x: number, y: number, font: string, textColor: string) {
  context.font = `${LEGEND_SIZE}px ${font}`;
  let left = x;
  for (const { name, color } of entries) {
    context.fillStyle = color;
    context.fillRect(left, y + LEGEND_SIZE / 2 - 2, 14, 4);
    left += 20;
    context.fillStyle = textColor;
    context.fillText(name, left, y);
    left += context.measureText(name).width + 16;
  }
}

/** The card's background, so the image looks as it does on the page; white if transparent. */
function backgroundOf(element: HTMLElement): string {
  for (let e: HTMLElement | null = element; e; e = e.parentElement) {
    const color = getComputedStyle(e).backgroundColor;
    if (color && color !== 'transparent' && color !== 'rgba(0, 0, 0, 0)') return color;
  }
  return '#ffffff';
}

function loadSvgImage(svgText: string): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  const image = new Image();
  return new Promise<HTMLImageElement>((resolve, reject) => {
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('The browser could not read the chart as an image.'));
    image.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}
