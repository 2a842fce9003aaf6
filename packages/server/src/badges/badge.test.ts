import type { PipelineRecord } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { badgeColors, badgeFor } from './badge-state.js';
import { badgeSvg, svgText } from './badge-svg.js';

const p = (status: PipelineRecord['status'], sha: string): PipelineRecord =>
  ({ status, sha: sha.repeat(40).slice(0, 40) }) as PipelineRecord;

describe('badgeFor', () => {
  it.each([
    ['no pipeline', undefined, undefined, 'not deployed', badgeColors.none],
    ['the last one passed', p('success', 'a'), p('success', 'a'), 'aaaaaaaa passed', badgeColors.passed],
    [
      'the last one failed',
      p('failed', 'b'),
      p('success', 'a'),
      'aaaaaaaa · last failed',
      badgeColors.failed,
    ],
    [
      'canceled, nothing deployed',
      p('canceled', 'b'),
      undefined,
      'not deployed · last canceled',
      badgeColors.failed,
    ],
    ['one runs', p('running', 'b'), p('success', 'a'), 'aaaaaaaa · running', badgeColors.running],
    [
      'one waits for approval',
      p('waiting_approval', 'b'),
      p('success', 'a'),
      'aaaaaaaa · running',
      badgeColors.running,
    ],
  ] as const)('%s', (_name, last, deployed, message, color) => {
    expect(badgeFor('prod', last, deployed)).toEqual({ label: 'prod', message, color });
  });
});

describe('svgText', () => {
  it('escapes markup, drops control characters and caps the length', () => {
    expect(svgText(`<script>alert("x")</script>&'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
    );
    expect(svgText('a\u0000b\u001bc')).toBe('abc');
    expect([...svgText('x'.repeat(100))].length).toBe(60);
  });
});

describe('badgeSvg', () => {
  it('is one SVG whose texts are the escaped label and message, in the given colour', () => {
    const svg = badgeSvg({ label: 'te<st', message: 'a & b', color: '#4c1' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>te&lt;st: a &amp; b</title>');
    expect(svg).toContain('fill="#4c1"');
    expect(svg).not.toContain('te<st');
  });

  it('refuses a colour that is not a hex colour', () => {
    expect(badgeSvg({ label: 'a', message: 'b', color: 'red" onload="x' })).not.toContain('onload');
  });
});
