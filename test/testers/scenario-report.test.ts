import { describe, expect, it } from '@jest/globals';
import { formatReport } from '../../server/testkit/scenario/report.js';
import type { ScenarioReport } from '../../server/testkit/scenario/run.js';

describe('The scenario report as text', () => {
  it('When a step sent text with control characters or a lone surrogate, then the report shows them escaped, one line per step', () => {
    const report: ScenarioReport = {
      name: 'odd\u0007text',
      ok: false,
      steps: [
        {
          line: 4,
          kind: 'send',
          ok: false,
          status: 400,
          summary: 'tunewave, as alice, sends "a\u0000b\u001b[31mred\nx" to g_weekend: refused',
          error: 'got 400 \ud800\u009b',
        },
        { line: 5, kind: 'send', ok: true, status: 201, summary: 'sends "🎵 Gymnopédie\ttab"' },
      ],
    };
    const text = formatReport(report);
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the terminal
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/);
    expect(text.isWellFormed()).toBe(true);
    expect(text.split('\n')).toEqual([
      'Scenario: odd\\u0007text',
      expect.stringContaining('sends "a\\u0000b\\u001b[31mred\\u000ax" to g_weekend: refused'),
      expect.stringContaining('→ got 400 \\ud800\\u009b'),
      expect.stringContaining('sends "🎵 Gymnopédie\\u0009tab"'),
      'FAIL: 1 of 2 steps failed (line 4)',
    ]);
  });
});
