/**
 * Parameter coercion and validation the way GitLab's API framework (Grape) reports it: every
 * problem collected, joined with ", ", answered as 400 `{"error": "..."}`, e.g.
 * `state is missing, state does not have a valid value`.
 */
export class GrapeParams {
  readonly #params: Readonly<Record<string, unknown>>;
  readonly errors: string[] = [];

  constructor(params: Readonly<Record<string, unknown>>) {
    this.#params = params;
  }

  #raw(name: string): unknown {
    const value = this.#params[name];
    return value === null ? undefined : value;
  }

  string(name: string, opts: { required?: boolean; values?: readonly string[]; allowBlank?: boolean } = {}) {
    const raw = this.#raw(name);
    let value: string | undefined;
    if (raw === undefined) {
      if (opts.required) this.errors.push(`${name} is missing`);
    } else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
      value = String(raw);
    } else {
      this.errors.push(`${name} is invalid`);
    }
    if (value !== undefined && opts.allowBlank === false && value.trim() === '') {
      this.errors.push(`${name} is empty`);
    }
    if (opts.values && (value !== undefined || opts.required) && !opts.values.includes(value ?? '')) {
      this.errors.push(`${name} does not have a valid value`);
    }
    return value;
  }

  integer(name: string): number | undefined {
    const raw = this.#raw(name);
    if (raw === undefined) return undefined;
    if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
    if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) return Number(raw.trim());
    this.errors.push(`${name} is invalid`);
    return undefined;
  }

  float(name: string): number | undefined {
    const raw = this.#raw(name);
    if (raw === undefined) return undefined;
    if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
    if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
    this.errors.push(`${name} is invalid`);
    return undefined;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.#raw(name);
    if (raw === undefined) return undefined;
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1' || raw === 1) return true;
    if (raw === 'false' || raw === '0' || raw === 0) return false;
    this.errors.push(`${name} is invalid`);
    return undefined;
  }

  /** The 400 body when anything failed. */
  failure(): { error: string } | undefined {
    return this.errors.length === 0 ? undefined : { error: this.errors.join(', ') };
  }
}
