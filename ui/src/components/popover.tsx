import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import './components.css';

interface PopoverProps {
  label: ReactNode;
  title?: string;
  className?: string;
  /** Rendered only while open, so a closed picker costs nothing per `sources` update. */
  children: (close: () => void) => ReactNode;
}

/** A button that opens a panel below it; closes on Escape or a click elsewhere. */
export function Popover({ label, title, className, children }: PopoverProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className={`popover ${className ?? ''}`} ref={root}>
      <button
        type="button"
        className="popover__button"
        aria-expanded={open}
        aria-controls={panelId}
        title={title}
        onClick={() => setOpen((value) => !value)}
      >
        {label}
      </button>
      {open && (
        <div className="popover__panel" id={panelId}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}
