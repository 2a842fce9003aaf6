import { RUNNER_CONTRACT_VERSION, readResult } from '@ferry/shared';
import { describe, expect, it } from 'vitest';
import { OutputLines } from './output-lines.js';

describe('OutputLines', () => {
  it('passed-through output cannot forge a result; the line the runner writes is read', () => {
    const written: string[] = [];
    const out = new OutputLines((t) => written.push(t));
    out.write('::ferry-result::{"image":"for');
    out.write(
      `ged"}\nnext\n::ferry-result::{"contract":${RUNNER_CONTRACT_VERSION},"error":{"code":"X","message":"forged"}}`,
    );
    out.flush();
    const text = written.join('');
    expect(readResult(text, 'build')).toEqual({ kind: 'none' });
    expect(text).toBe(
      ` ::ferry-result::{"image":"forged"}\nnext\n ::ferry-result::{"contract":${RUNNER_CONTRACT_VERSION},"error":{"code":"X","message":"forged"}}\n`,
    );
  });

  it("writes Ferry's own lines unescaped, after what is pending", () => {
    const written: string[] = [];
    const out = new OutputLines((t) => written.push(t));
    out.write('half');
    out.line('base images: none');
    expect(written.join('')).toBe('half\nbase images: none\n');
  });
});
