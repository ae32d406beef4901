// scripts/lib/progress.ts, the progress lines and tables of the import script (its tests live
// with the dump reader's, which drive it).
import { describe, expect, it } from 'vitest';
import { createProgress, formatTable } from '../../../../scripts/lib/progress.js';

describe('scripts/lib/progress.ts', () => {
  it('redraws in place on a TTY, at most every 100 ms', () => {
    const written: string[] = [];
    let clock = 0;
    const progress = createProgress({
      label: 'Posts',
      total: 1000,
      unit: 'rows',
      stream: { isTTY: true, columns: 120, write: (s) => written.push(s) },
      now: () => clock,
    });
    for (let done = 1; done <= 1000; done++) {
      clock += 1; // 1 ms per row: 1 s in all
      progress.update(done);
    }
    progress.finish();
    progress.finish(); // idempotent
    expect(written).toHaveLength(11); // 1 s of updates: a redraw per 100 ms, then the final line
    for (const s of written) expect(s.startsWith('\r')).toBe(true);
    expect(written[0]).toContain('0.1%  1 / 1,000 rows  … rows/s  ETA ?'); // no rate from the first moments
    expect(written.at(-2)).toBe(`\rPosts  [${'█'.repeat(27)}${'░'.repeat(3)}]   90.1%  901 / 1,000 rows  1,000 rows/s  ETA 0.1 s\x1b[K`);
    expect(written.at(-1)).toBe('\rPosts: done, 1,000 rows in 1.0 s (1,000 rows/s)\x1b[K\n');
  });

  it('prints plain lines about every 10 % when not a TTY', () => {
    const written: string[] = [];
    let clock = 0;
    const progress = createProgress({
      label: 'Users',
      total: 5000,
      unit: 'rows',
      stream: { isTTY: false, write: (s) => written.push(s) },
      now: () => clock,
    });
    for (let done = 0; done <= 5000; done += 50) {
      clock = done * 2; // 500 rows/s
      progress.update(done, 'extra info');
    }
    progress.finish();
    expect(written).toHaveLength(10); // 10 %, 20 %, … 90 %, done
    expect(written[0]).toBe('Users: 10% (500 / 5,000 rows, 500 rows/s, ETA 9.0 s) extra info\n');
    expect(written[8]).toBe('Users: 90% (4,500 / 5,000 rows, 500 rows/s, ETA 1.0 s) extra info\n');
    expect(written.at(-1)).toBe('Users: done, 5,000 rows in 0:10 (500 rows/s) extra info\n');
  });

  it('formats aligned tables: numbers right, text left', () => {
    expect(
      formatTable([
        { file: 'Posts.xml', rows: 1279, ms: 91.234 },
        { file: 'PostHistory.xml', rows: 3612, ms: 48 },
        { file: 'x', note: 'n/a' },
      ]),
    ).toBe(
      [
        'file              rows     ms  note',
        '---------------  -----  -----  ----',
        'Posts.xml        1,279  91.23',
        'PostHistory.xml  3,612     48',
        `x${' '.repeat(30)}n/a`,
        '',
      ].join('\n'),
    );
    expect(formatTable([{ a: 1, b: 'x' }], ['b'])).toBe('b\n-\nx\n');
  });
});
