/** The bench report fits a 120-column terminal: long prose wraps under its indentation, the summary and tables stay narrow. */
import { describe, expect, it } from 'vitest';
import { fitWidth, REPORT_COLUMNS, summaryTable, table } from '../../bench/report';

const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('the bench report is at most 120 columns wide', () => {
  it('wraps a long line at spaces, continuing under its indentation, and keeps every word', () => {
    const line = `   ${'handler/floor (median ops/s): concurrency 1: 0.90, '.repeat(6)}`.trimEnd();
    const wrapped = fitWidth(`short\n${line}`);
    expect(widest(wrapped)).toBeLessThanOrEqual(REPORT_COLUMNS);
    const [first, ...rest] = wrapped.split('\n').slice(1);
    expect(first!.startsWith('   handler')).toBe(true);
    for (const l of rest) expect(l.startsWith('     ')).toBe(true);
    expect(wrapped.split(/\s+/).filter(Boolean)).toEqual(`short ${line}`.split(/\s+/).filter(Boolean));
  });

  it('puts a long summary row on two lines, a short one on one', () => {
    const text = summaryTable([
      { metric: 'whole bench', value: '212.4 s', target: '< 600 s', result: 'PASS' },
      {
        metric: 'cold import enrollment',
        value: '118 ms (96 with the runtime\'s SDK), SDK alone 182 ms: 0.65 ×, and a value long enough to need a second line of its own',
        target: '<= 1.2 ×',
        result: 'PASS',
      },
    ]);
    expect(widest(text)).toBeLessThanOrEqual(REPORT_COLUMNS);
    expect(text.split('\n').length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('PASS  whole bench: 212.4 s  (target < 600 s)');
  });

  it('a table as the report builds it is narrower than the limit', () => {
    const sizes = table(['function', 'TOTP path KB', 'files', 'without SDK', '<= 150 KB', 'lazy KB', 'lazy without SDK'], [['enrollment', '599.0', '13', '233.8', 'NO', '698.0', '561.2']]);
    const imports = table(['function', 'import ms', 'all chunks ms', 'runtime SDK ms', 'SDK alone ms', 'import / SDK alone'], [['enrollment', '118.2', '240.5', '96.1', '182.0', '0.65']]);
    for (const t of [sizes, imports]) expect(widest(t)).toBeLessThanOrEqual(REPORT_COLUMNS);
  });
});
