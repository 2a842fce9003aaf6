/**
 * What a deploy was rolled back to, when a stage or pipeline reason says so
 * (`… rolled back to registry.vpc/shop/order:3f2a1c0`).
 */
export function rolledBackTo(...reasons: Array<string | undefined>): string | undefined {
  for (const reason of reasons) {
    const match = reason === undefined ? null : /rolled back to\s+([^\s,;]+)/i.exec(reason);
    if (match?.[1] !== undefined) return match[1].replace(/[.)]+$/, '');
  }
  return undefined;
}

/** Whether a reason says a rollback happened, even without saying to what. */
export function wasRolledBack(...reasons: Array<string | undefined>): boolean {
  return reasons.some((r) => r !== undefined && /rolled back/i.test(r));
}
