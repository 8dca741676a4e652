import type { MonitorEvent } from './monitor-event.js';

/** Text safe inside a Mermaid message (no line breaks, `;` or `#` entity starts). */
function clean(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[;#]/g, ',')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A recorded run as a Mermaid `sequenceDiagram` (for slides): one arrow per event, reads solid
 * towards Glasshouse and dashed back, with a note naming the bystanders of each access.
 */
export function toMermaid(events: MonitorEvent[]): string {
  const actors: string[] = [];
  const idOf = (name: string) => {
    if (!actors.includes(name)) actors.push(name);
    return `A${actors.indexOf(name)}`;
  };
  const lines: string[] = [];
  for (const e of events) {
    const from = idOf(e.from);
    const to = idOf(e.to);
    lines.push(`  ${from}${e.to === 'Glasshouse' ? '->>' : '-->>'}${to}: ${clean(e.label)}`);
    const bystanders = e.details.people?.filter((p) => p.bystander).map((p) => p.name) ?? [];
    if (bystanders.length) lines.push(`  Note over ${to}: bystanders: ${clean(bystanders.join(', '))}`);
  }
  const header = actors.map((name, i) => `  participant A${i} as ${clean(name)}`);
  return ['sequenceDiagram', ...header, ...lines].join('\n') + '\n';
}
