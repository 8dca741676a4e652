import type { ClientExposure } from '../audit/exposure.js';

/** One bar group of the chart: a client's people counts. */
interface Bar {
  label: string;
  authorized: number;
  seen: number;
  bystanders: number;
}

/**
 * Data for the exposure chart (an inline SVG drawn by the eta view): per client, people who
 * authorized it, people it saw, and bystanders, with bar widths in SVG units (max 400).
 */
export function exposureChart(
  rows: Pick<ClientExposure, 'clientName' | 'authorizedPeople' | 'peopleSeen' | 'bystanders'>[],
) {
  const bars: Bar[] = rows.map((r) => ({
    label: r.clientName,
    authorized: r.authorizedPeople.length,
    seen: r.peopleSeen.length,
    bystanders: r.bystanders.length,
  }));
  const max = Math.max(1, ...bars.flatMap((b) => [b.authorized, b.seen, b.bystanders]));
  const scale = (n: number) => Math.round((n / max) * 400);
  return {
    height: bars.length * 90 + 20,
    bars: bars.map((b, i) => ({
      ...b,
      y: 10 + i * 90,
      wAuthorized: scale(b.authorized),
      wSeen: scale(b.seen),
      wBystanders: scale(b.bystanders),
    })),
  };
}
