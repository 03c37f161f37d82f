import { useState, type RefObject } from 'react';
import { chartPngBlob } from './chart-png';
import { downloadBlob } from './download';
import { errorMessage } from '../../engine';

interface DownloadPngButtonProps {
  /** The element holding the chart's SVG. */
  chartRef: RefObject<HTMLElement | null>;
  /** Written above the chart in the image. */
  title: string;
  filename: string;
  disabled?: boolean;
  /** Hears a sentence when the image could not be made, and null once one was. */
  onError(message: string | null): void;
}

/** "Download PNG": the chart as it is on screen, with its title and legend. */
export function DownloadPngButton({ chartRef, title, filename, disabled, onError }: DownloadPngButtonProps) {
  const [busy, setBusy] = useState(false);

  async function save() {
    const container = chartRef.current;
    if (!container) return;
    setBusy(true);
    try {
      downloadBlob(await chartPngBlob(container, title), filename);
      onError(null);
    } catch (err) {
      onError(`Could not save the ${title.toLowerCase()} chart as PNG: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <button type="button" className="button" onClick={() => void save()} disabled={disabled || busy}>
      Download PNG
    </button>
  );
}
