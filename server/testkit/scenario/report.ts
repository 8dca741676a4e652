import type { ScenarioReport } from './run.js';

/**
 * Control characters (C0 including newline, DEL, C1) and lone surrogates from a scenario's own text
 * shown as `\uXXXX`: a step that sends "a\u001b[31m…" must not colour (or split) the report's lines.
 */
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const printable = (text: string) =>
  text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The report as text for people: one line per step (✓/✗, line number, kind, HTTP status, what
 * happened), the reason under each failed step, and a last line with the verdict, e.g.
 *   ✓ line 28  read          404  tunewave, as alice, reads g_weekend: refused as expected (404 not_found: …)
 *   ✗ line 54  expect             g_weekend holds 4 messages
 *                                 → g_weekend messages: "Please no peanuts" not found
 */
export function formatReport(report: ScenarioReport, file?: string): string {
  const lines = [`Scenario: ${printable(report.name)}${file ? ` (${file})` : ''}`];
  const width = Math.max(...report.steps.map((s) => String(s.line).length));
  for (const step of report.steps) {
    const head = `  ${step.ok ? '✓' : '✗'} line ${String(step.line).padEnd(width)}  ${step.kind.padEnd(12)} ${String(step.status ?? '').padEnd(3)}  `;
    lines.push(head + printable(step.summary));
    if (step.error) lines.push(`${' '.repeat(head.length)}→ ${printable(step.error)}`);
  }
  const failed = report.steps.filter((s) => !s.ok);
  lines.push(
    failed.length === 0
      ? `PASS: ${report.steps.length} of ${report.steps.length} steps`
      : `FAIL: ${failed.length} of ${report.steps.length} steps failed (line${failed.length > 1 ? 's' : ''} ${failed.map((s) => s.line).join(', ')})`,
  );
  return lines.join('\n');
}
