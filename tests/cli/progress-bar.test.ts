import { expect, it } from 'vitest';
import { formatSeconds, ProgressBar } from '../../src-main/cli/progress-bar.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 120, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream };
}

it('stays quiet for short jobs, then draws a bar with counts, percent and ETA', () => {
  let now = 0;
  const { writes, stream } = fakeStream(true);
  const bar = new ProgressBar({ stream, now: () => now });
  bar.update('decoding', 1, 10, 'left/a.png');
  expect(writes).toEqual([]);
  now = 2000;
  bar.update('decoding', 5, 10, 'left/e.png');
  expect(writes).toHaveLength(1);
  expect(writes[0]).toBe('\r\x1b[2Kdecoding [############............] 5/10  50% ETA 2s  left/e.png');
  bar.finish();
  expect(writes.at(-1)).toBe('\n');
});

it('writes whole lines, seldom, when stderr is not a terminal', () => {
  let now = 1500;
  const { writes, stream } = fakeStream(false);
  const bar = new ProgressBar({ stream, now: () => now });
  now = 3000;
  bar.update('decoding', 1, 100);
  now = 3500;
  bar.update('decoding', 2, 100); // too soon after the last line
  now = 7000;
  bar.update('decoding', 50, 100);
  expect(writes.map((w) => w.endsWith('\n'))).toEqual([true, true]);
  expect(writes[1]).toContain('50/100');
});

it('formats durations for people', () => {
  expect(formatSeconds(4.2)).toBe('5s');
  expect(formatSeconds(75)).toBe('1m15s');
  expect(formatSeconds(3 * 3600 + 60 * 7)).toBe('3h07m');
});
