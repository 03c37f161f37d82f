/** A short stretch of a run's line (its colour and dash pattern), as the legend shows it. */
export function LineSample({ color, dash }: { color: string; dash: string | undefined }) {
  return (
    <svg className="line-sample" width="32" height="10" viewBox="0 0 32 10" aria-hidden="true" focusable="false">
      <line x1="1" y1="5" x2="31" y2="5" stroke={color} strokeWidth="2.5" strokeDasharray={dash} />
    </svg>
  );
}
