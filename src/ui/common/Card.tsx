import { useId, type ReactNode, type Ref } from 'react';
import './common.css';

interface CardProps {
  title: string;
  /** Extra controls aligned with the title (e.g. the PNG download). */
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
  /** The section element, e.g. to watch whether the card is on screen. */
  ref?: Ref<HTMLElement>;
}

/** A titled section; the heading names the region so people and tests can find it. */
export function Card({ title, actions, className, children, ref }: CardProps) {
  const headingId = useId();
  return (
    <section ref={ref} className={className ? `card ${className}` : 'card'} aria-labelledby={headingId}>
      <header className="card__header">
        <h2 id={headingId}>{title}</h2>
        {actions ? <div className="card__actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
