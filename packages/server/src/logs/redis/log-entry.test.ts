import { describe, expect, it } from 'vitest';
import {
  archivedLines,
  countLines,
  decodeEntry,
  encodeRuns,
  entryJson,
  type LogRun,
  RUNS_FIELD,
} from './log-entry.js';

describe('stage log entries', () => {
  const runs: LogRun[] = [
    [7, 1000, 'o', 'one\n\nthree'],
    [10, 1000, 'e', 'warning: "quoted" \\ and \t tab'],
    [11, 1005, 's', ''],
  ];

  it('gives each line of a run its own number, the run time and stream, empty lines kept', () => {
    expect(decodeEntry([RUNS_FIELD, encodeRuns(runs)])).toEqual([
      { n: 7, t: 1000, s: 'o', x: 'one' },
      { n: 8, t: 1000, s: 'o', x: '' },
      { n: 9, t: 1000, s: 'o', x: 'three' },
      { n: 10, t: 1000, s: 'e', x: 'warning: "quoted" \\ and \t tab' },
      { n: 11, t: 1005, s: 's', x: '' },
    ]);
  });

  it('reads entries written before runs (one object per line) as they were', () => {
    const lines = [{ n: 0, t: 5, s: 'o', x: 'old' }];
    expect(decodeEntry(['l', JSON.stringify(lines)])).toEqual(lines);
    expect(decodeEntry(['other', 'x'])).toEqual([]);
  });

  it('gives the archive each entry as Redis holds it, and reads archived runs and older lines alike', () => {
    const json = entryJson([Buffer.from(RUNS_FIELD), Buffer.from(encodeRuns(runs))]);
    expect(json!.toString()).toBe(encodeRuns(runs));
    expect(archivedLines(JSON.parse(json!.toString()))).toEqual(decodeEntry([RUNS_FIELD, encodeRuns(runs)]));
    const old = Buffer.from('[{"n":0,"t":5,"s":"o","x":"é"}]');
    expect(entryJson([Buffer.from('l'), old])).toBe(old);
    expect(archivedLines(JSON.parse(old.toString()))).toEqual([{ n: 0, t: 5, s: 'o', x: 'é' }]);
    expect(archivedLines([])).toEqual([]);
    expect(entryJson([])).toBeUndefined();
  });

  it('counts lines as one more than newlines', () => {
    expect([
      countLines(''),
      countLines('a'),
      countLines('a\n'),
      countLines('\n\n'),
      countLines('a\nb'),
    ]).toEqual([1, 1, 2, 3, 2]);
  });
});
