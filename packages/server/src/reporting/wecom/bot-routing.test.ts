import { describe, expect, it } from 'vitest';
import { botsFor } from './bot-routing.js';

const bots = [
  { name: 'all', projects: [], environments: [] },
  { name: 'shop-prod', projects: ['shop/order-service'], environments: ['prod'] },
  { name: 'by-id', projects: ['4217'], environments: [] },
  { name: 'other', projects: ['other/x'], environments: [] },
];

describe('botsFor', () => {
  it.each([
    ['shop/order-service', 4217, 'prod', ['all', 'shop-prod', 'by-id']],
    ['shop/order-service', 4217, 'test', ['all', 'by-id']],
    ['other/x', 9, 'test', ['all', 'other']],
  ])('%s (%s) in %s', (path, id, environment, expected) => {
    const pipeline = { project: { id, path, webUrl: '', cloneUrl: '' }, environment };
    expect(botsFor(bots, pipeline).map((b) => b.name)).toEqual(expected);
  });
});
