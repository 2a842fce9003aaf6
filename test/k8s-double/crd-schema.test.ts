/**
 * The pure parts of the double's CRD support, by table: pruning and validation of custom objects
 * by a structural schema (crd/custom-object.ts) and the structural check of a CRD's schema
 * (crd/structural.ts). The HTTP behaviour is in crd.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { pruneCustomObject, validateCustomObject } from './crd/custom-object.js';
import type { JsonSchema } from './crd/json-schema.js';
import { structuralErrors } from './crd/structural.js';

const schema: JsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['endpoints'],
      properties: {
        endpoints: {
          type: 'array',
          items: {
            type: 'object',
            properties: { port: { type: 'string' }, targetPort: { 'x-kubernetes-int-or-string': true } },
          },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        anything: { type: 'object', additionalProperties: true },
        raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        note: { type: 'string', nullable: true },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
        },
      },
    },
  },
};

const object = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'x' }) => ({
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata,
  spec,
});

describe('pruning a custom object by its schema', () => {
  it.each([
    {
      what: 'an undeclared field in a list item',
      spec: { endpoints: [{ port: 'http', colour: 'red' }] },
      pruned: { endpoints: [{ port: 'http' }] },
      unknown: ['unknown field "spec.endpoints[0].colour"'],
    },
    {
      what: 'map values keep their keys; a map of anything keeps everything',
      spec: { endpoints: [], labels: { a: 'b' }, anything: { x: { y: 1 } } },
      pruned: { endpoints: [], labels: { a: 'b' }, anything: { x: { y: 1 } } },
      unknown: [],
    },
    {
      what: 'x-kubernetes-preserve-unknown-fields keeps what is under it',
      spec: { endpoints: [], raw: { deep: [{ any: true }] } },
      pruned: { endpoints: [], raw: { deep: [{ any: true }] } },
      unknown: [],
    },
    {
      what: 'null of a non-nullable field is dropped, of a nullable one kept',
      spec: { endpoints: null, note: null },
      pruned: { note: null },
      unknown: [],
    },
    {
      what: 'an embedded resource keeps apiVersion and kind, its metadata decoded as ObjectMeta',
      spec: {
        endpoints: [],
        template: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', bogus: 1 },
          spec: { size: 1, x: 2 },
        },
      },
      pruned: {
        endpoints: [],
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { size: 1 } },
      },
      unknown: ['unknown field "spec.template.metadata.bogus"', 'unknown field "spec.template.spec.x"'],
    },
  ])('$what', ({ spec, pruned, unknown }) => {
    const out = pruneCustomObject(schema, object(spec));
    expect((out.value as { spec: unknown }).spec).toEqual(pruned);
    expect(out.unknown).toEqual(unknown);
  });

  it('reports and drops unknown metadata fields and undeclared top-level fields', () => {
    const out = pruneCustomObject(schema, {
      ...object({ endpoints: [] }, { name: 'x', colour: 1 }),
      extra: 1,
    });
    expect(out.unknown).toEqual(['unknown field "metadata.colour"', 'unknown field "extra"']);
    expect(out.value).toEqual(object({ endpoints: [] }));
  });

  it('a merge patch keeps its nulls (they delete) and reports unknown fields', () => {
    const out = pruneCustomObject(schema, { spec: { labels: null, colour: 'red' } }, true);
    expect(out.value).toEqual({ spec: { labels: null } });
    expect(out.unknown).toEqual(['unknown field "spec.colour"']);
  });
});

describe('validating a custom object by its schema', () => {
  it.each([
    { what: 'a valid object', spec: { endpoints: [{ port: 'http', targetPort: 8080 }] }, errors: [] },
    { what: 'int-or-string takes a string', spec: { endpoints: [{ targetPort: 'http' }] }, errors: [] },
    {
      what: 'a number where a string is declared',
      spec: { endpoints: [{ port: 80 }] },
      errors: [
        {
          type: 'Invalid',
          field: 'spec.endpoints[0].port',
          value: 'integer',
          detail: 'spec.endpoints[0].port in body must be of type string: "integer"',
        },
      ],
    },
    {
      what: 'a boolean where int-or-string is declared',
      spec: { endpoints: [{ targetPort: true }] },
      errors: [
        {
          type: 'Invalid',
          field: 'spec.endpoints[0].targetPort',
          value: 'boolean',
          detail: 'spec.endpoints[0].targetPort in body must be of type integer,string: "boolean"',
        },
      ],
    },
    {
      what: 'a map value of the wrong type',
      spec: { endpoints: [], labels: { a: 1.5 } },
      errors: [
        {
          type: 'Invalid',
          field: 'spec.labels.a',
          value: 'number',
          detail: 'spec.labels.a in body must be of type string: "number"',
        },
      ],
    },
    { what: 'a missing required field', spec: {}, errors: [{ type: 'Required', field: 'spec.endpoints' }] },
  ])('$what', ({ spec, errors }) => {
    expect(validateCustomObject(schema, object(spec))).toEqual(errors);
  });
});

describe('structural schemas', () => {
  it('accepts the schema above', () => {
    expect(structuralErrors(schema, 's')).toEqual([]);
  });

  it.each([
    {
      what: 'no type at the root',
      schema: { properties: {} },
      errors: [{ type: 'Required', field: 's.type', detail: 'must not be empty at the root' }],
    },
    {
      what: 'a root that is not an object',
      schema: { type: 'string' },
      errors: [{ type: 'Invalid', field: 's.type', value: 'string', detail: 'must be object at the root' }],
    },
    {
      what: 'an array without items, an item without type',
      schema: {
        type: 'object',
        properties: { a: { type: 'array' }, b: { type: 'array', items: { properties: {} } } },
      },
      errors: [
        { type: 'Required', field: 's.properties[a].items', detail: 'must be specified' },
        {
          type: 'Required',
          field: 's.properties[b].items.type',
          detail: 'must not be empty for specified array items',
        },
      ],
    },
    {
      what: 'properties beside additionalProperties',
      schema: {
        type: 'object',
        properties: {
          m: {
            type: 'object',
            properties: { x: { type: 'string' } },
            additionalProperties: { type: 'string' },
          },
        },
      },
      errors: [
        {
          type: 'Forbidden',
          field: 's.properties[m].additionalProperties',
          detail: 'additionalProperties and properties are mutual exclusive',
        },
      ],
    },
  ])('refuses $what', ({ schema: s, errors }) => {
    expect(structuralErrors(s as JsonSchema, 's')).toEqual(errors);
  });
});
