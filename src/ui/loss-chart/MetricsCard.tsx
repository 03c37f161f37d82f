import { Suspense, useRef, useState, type ReactNode, type Ref } from 'react';
import { Card } from '../common/Card';
import { DownloadPngButton } from '../export/DownloadPngButton';
import './metrics-charts.css';

interface MetricsCardProps {
  title: string;
  className: string;
  cardRef: Ref<HTMLElement>;
  /** Controls before the PNG download (e.g. the log-scale toggle). */
  leadingActions?: ReactNode;
  /** Controls after the PNG download (e.g. clearing the graphs, Download CSV). */
  trailingActions: ReactNode;
  pngFilename: string;
  /** Nothing drawn yet: nothing to download. */
  empty: boolean;
  /** One line in words: the latest values, or what will appear. */
  summary: ReactNode;
  /** What the chart shows, for a screen reader. */
  chartLabel: string;
  /** The (lazily loaded) curve. */
  children: ReactNode;
}

/** The frame of a metrics chart card: actions with a PNG download, a summary line, the chart, an export error. */
export function MetricsCard({ title, className, cardRef, leadingActions, trailingActions, pngFilename, empty, summary, chartLabel, children }: MetricsCardProps) {
  const [exportError, setExportError] = useState<string | null>(null);
  const chartRef = useRef<HTMLDivElement>(null);
  return (
    <Card
      title={title}
      className={className}
      ref={cardRef}
      actions={
        <>
          {leadingActions}
          <DownloadPngButton chartRef={chartRef} title={title} filename={pngFilename} disabled={empty} onError={setExportError} />
          {trailingActions}
        </>
      }
    >
      <p className="muted" aria-live="off">
        {summary}
      </p>
      <div className="loss-chart" role="img" aria-label={chartLabel} ref={chartRef}>
        <Suspense fallback={null}>{children}</Suspense>
      </div>
      {exportError ? (
        <p className="metrics-card__error" role="alert">
          {exportError}
        </p>
      ) : null}
    </Card>
  );
}
