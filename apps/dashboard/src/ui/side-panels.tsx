import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

interface SidePanel {
  readonly id: string;
  readonly title: string;
  readonly body: ComponentChildren;
}

export interface SidePanelsProps {
  /** Shown above the panels (the event details); on a narrow screen it covers the stream. */
  readonly detail: ComponentChildren;
  readonly panels: readonly SidePanel[];
}

/**
 * The side column. On a wide screen every panel is shown; on a narrow one (CSS) they fold into a
 * bar of buttons at the bottom, each opening its panel as a drawer, so the stream keeps the width.
 */
export function SidePanels({ detail, panels }: SidePanelsProps) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <div class="side">
      {detail}
      {panels.map((panel) => (
        <section
          key={panel.id}
          id={`panel-${panel.id}`}
          aria-labelledby={`${panel.id}-heading`}
          class={`panel${open === panel.id ? ' open' : ''}`}
        >
          <h2 id={`${panel.id}-heading`}>{panel.title}</h2>
          {panel.body}
        </section>
      ))}
      <nav class="panel-bar" aria-label="Panels">
        {panels.map((panel) => (
          <button
            key={panel.id}
            type="button"
            aria-expanded={open === panel.id}
            aria-controls={`panel-${panel.id}`}
            onClick={() => setOpen(open === panel.id ? undefined : panel.id)}
          >
            {panel.title}
          </button>
        ))}
      </nav>
    </div>
  );
}
