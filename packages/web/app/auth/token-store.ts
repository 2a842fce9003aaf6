import { basePath } from '../base';

/** Where the API token is kept: this browser's storage, one per Ferry (base path) on the origin. */
const key = `ferry.token:${basePath || '/'}`;

type Listener = (token: string | null) => void;
const listeners = new Set<Listener>();

function read(): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    // Storage can be off (private mode, policies): the token then lives for this page only.
    return memory;
  }
}

let memory: string | null = null;
let current: string | null = read();

export function token(): string | null {
  return current;
}

export function setToken(value: string | null): void {
  current = value;
  memory = value;
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Kept in memory (above).
  }
  for (const listener of listeners) listener(value);
}

export function onTokenChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
