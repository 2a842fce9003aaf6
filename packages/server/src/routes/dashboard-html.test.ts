import { describe, expect, it } from 'vitest';
import { baseHref, baseMarker, renderIndex } from './dashboard-html.js';

describe('baseHref', () => {
  it.each([
    ['', undefined, false, '/'],
    ['/ferry', undefined, false, '/ferry/'],
    ['/ferry', '/ci', false, '/ferry/'],
    ['/ferry', '/ci', true, '/ci/ferry/'],
    ['', '/ci/', true, '/ci/'],
    ['', '"><script>alert(1)</script>', true, '/'],
    ['', '//evil.example.com', true, '/'],
    ['', 'https://evil.example.com', true, '/'],
  ])('basePath %j, X-Forwarded-Prefix %j, trustProxy %j → %j', (basePath, prefix, trust, expected) => {
    expect(baseHref(basePath, prefix, trust)).toBe(expected);
  });
});

describe('renderIndex', () => {
  it('puts the base element where the marker is', () => {
    expect(renderIndex(`<head>${baseMarker}<script src="./assets/a.js"></script>`, '/ferry/')).toBe(
      '<head><base href="/ferry/"><script src="./assets/a.js"></script>',
    );
  });
  it('escapes the href', () => {
    expect(renderIndex('<head></head>', '/a"b/')).toBe('<head><base href="/a&#34;b/"></head>');
  });
});
