import { describe } from 'vitest';
import { freshHistoryStore, historyKinds } from '../support/history.js';
import { historyConformance } from './conformance.js';

// One suite, both archive databases: SQLite (embedded default) and PostgreSQL (production).
describe.each(historyKinds)('HistoryStore on %s', (kind) => {
  historyConformance(() => freshHistoryStore(kind));
});
