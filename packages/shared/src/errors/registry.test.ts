import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderErrorsDoc } from './errors-doc.js';
import { FerryError } from './ferry-error.js';
import { allErrorDefinitions, errorAreas } from './registry.js';

describe('error registry', () => {
  it('has unique codes', () => {
    const codes = allErrorDefinitions().map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('maps every code to an HTTP error status', () => {
    for (const def of allErrorDefinitions()) expect(def.status).toBeGreaterThanOrEqual(400);
  });

  it('is documented: docs/errors.md is what npm run docs:errors writes', () => {
    const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderErrorsDoc(errorAreas));
  });

  it('fills message templates and serialises without the cause', () => {
    const def = errorAreas.config.CONFIG_UNREADABLE;
    const err = new FerryError(
      def,
      { path: '/etc/ferry.yml', reason: 'ENOENT' },
      { cause: new Error('inner') },
    );
    expect(err.message).toBe(
      'The Ferry configuration file /etc/ferry.yml cannot be read (ENOENT); check FERRY_CONFIG.',
    );
    expect(JSON.stringify(err)).toBe(JSON.stringify({ code: def.code, message: err.message }));
    expect(err.is(def)).toBe(true);
  });
});
