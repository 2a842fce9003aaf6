import { describe, expect, it } from 'vitest';
import { DockerMessages, messageError } from './docker-messages.js';
import { progressLine } from './progress-line.js';

describe('DockerMessages', () => {
  it('parses messages split and joined across chunks', () => {
    const m = new DockerMessages();
    expect(m.push('{"stream":"Step 1/2"}\r\n{"str')).toEqual([{ stream: 'Step 1/2' }]);
    expect(m.push('eam":"\\n"}\n{"aux":{"ID":"sha256:1"}}\nnot json\n')).toEqual([
      { stream: '\n' },
      { aux: { ID: 'sha256:1' } },
      { stream: 'not json\n' },
    ]);
    expect(m.push('{"errorDetail":{"message":"boom"},"error":"boom"}')).toEqual([]);
    expect(m.end()).toEqual([{ errorDetail: { message: 'boom' }, error: 'boom' }]);
  });

  it.each([
    [
      { errorDetail: { code: 1, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" } },
      "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    ],
    [{ error: 'unauthorized: authentication required' }, 'unauthorized: authentication required'],
    [{ stream: 'fine\n' }, undefined],
  ])('messageError(%j)', (message, expected) => {
    expect(messageError(message)).toBe(expected);
  });

  it.each([
    [{ status: 'Pushing', id: 'a', progressDetail: { current: 1 } }, undefined],
    [{ status: 'Preparing', id: 'a' }, undefined],
    [{ status: 'Pushed', id: 'a' }, 'a: Pushed'],
    [{ status: 'v1: digest: sha256:ab size: 527' }, 'v1: digest: sha256:ab size: 527'],
  ])('progressLine(%j)', (message, expected) => {
    expect(progressLine(message)).toBe(expected);
  });
});
