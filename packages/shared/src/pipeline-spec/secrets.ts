/**
 * Detects secret values written into a pipeline file. Secrets live in Kubernetes Secrets that
 * operators manage; the file only names them (`envFrom: [{ secretRef: name }]`).
 */

export type SecretKind = 'key-name' | 'private-key' | 'url-credentials' | 'known-token' | 'high-entropy';

export interface SecretFinding {
  readonly kind: SecretKind;
  /** What was seen, without repeating the value. */
  readonly reason: string;
}

/** Words that mark a secret, also at the end of a longer word (`DBPASSWORD`, `APITOKEN`). */
const STRONG_WORDS = [
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'SECRET',
  'TOKEN',
  'CREDENTIAL',
  'APIKEY',
  'PRIVATEKEY',
];
/** Words that mark a secret only as a whole word (`API_KEY`, but not `KEYCLOAK_URL`). */
const WEAK_WORDS = new Set([
  'KEY',
  'PASS',
  'PWD',
  'AUTH',
  'DSN',
  'SALT',
  'CRED',
  'CREDS',
  'PRIVATE',
  'CERTKEY',
]);
/** A last word that says the value is about a secret, not the secret (`TOKEN_URL`, `SECRET_NAME`). */
const NON_SECRET_LAST_WORDS = new Set([
  'URL',
  'URI',
  'HOST',
  'PORT',
  'PATH',
  'FILE',
  'DIR',
  'NAME',
  'ID',
  'ENDPOINT',
  'ISSUER',
  'AUDIENCE',
  'TTL',
  'TIMEOUT',
  'EXPIRY',
  'LENGTH',
  'SIZE',
  'PREFIX',
  'HEADER',
  'ENABLED',
  'DISABLED',
  'TYPE',
  'ALGORITHM',
  'FORMAT',
  'VERSION',
  'MODE',
  'REGION',
]);

/** `DBPASSWORD`, `APITOKEN`, `SECRETS`, `SECRETKEY` hold the word; `TOKENIZER` does not. */
function holdsStrongWord(word: string, strong: string): boolean {
  return word.endsWith(strong) || word === `${strong}S` || word === `${strong}KEY`;
}

/** `dbPassword`, `DB_PASSWORD`, `db-password` → `['DB', 'PASSWORD']`. */
export function splitKeyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toUpperCase());
}

/** A finding when an environment variable's name says it holds a secret. */
export function secretKeyFinding(key: string): SecretFinding | undefined {
  const words = splitKeyWords(key);
  const last = words[words.length - 1];
  if (last !== undefined && NON_SECRET_LAST_WORDS.has(last)) return undefined;
  if (words.includes('PUBLIC')) return undefined;
  const hit = words.find((w) => WEAK_WORDS.has(w) || STRONG_WORDS.some((s) => holdsStrongWord(w, s)));
  return hit === undefined
    ? undefined
    : { kind: 'key-name', reason: `the name "${key}" says it holds a secret` };
}

const PRIVATE_KEY_RE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;
// scheme://user:password@ where the password is not a reference like ${X}, $(X) or {x}.
const URL_CREDENTIALS_RE = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:(?!\$\{|\$\(|\{)[^\s/@]+@/i;
const KNOWN_TOKENS: readonly (readonly [RegExp, string])[] = [
  [/\bglpat-[0-9A-Za-z_-]{20,}/, 'a GitLab access token'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}/, 'a GitHub token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/\bxox[abposr]-[0-9A-Za-z-]{10,}/, 'a Slack token'],
  [/\bsk_live_[0-9A-Za-z]{16,}/, 'a Stripe secret key'],
  [/\bAIza[0-9A-Za-z_-]{35}/, 'a Google API key'],
  [/\bnpm_[A-Za-z0-9]{36}/, 'an npm token'],
  [/\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/, 'a JSON Web Token'],
];

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Thresholds for "looks like a random token". */
export const TOKEN_MIN_LENGTH = 20;
export const TOKEN_MIN_ENTROPY = 4.0;
export const HEX_TOKEN_MIN_LENGTH = 32;

function looksLikeToken(word: string): boolean {
  if (/^[0-9a-fA-F]+$/.test(word)) return word.length >= HEX_TOKEN_MIN_LENGTH && shannonEntropy(word) >= 3;
  if (word.length < TOKEN_MIN_LENGTH || !/^[A-Za-z0-9+_-]+$/.test(word)) return false;
  if (!/[0-9]/.test(word) || !/[A-Za-z]/.test(word)) return false;
  return shannonEntropy(word) >= TOKEN_MIN_ENTROPY;
}

/**
 * A finding when `value` looks like a credential. `thorough` adds the random-token check,
 * which suits environment values and build args but is too noisy for whole scripts.
 */
export function secretValueFinding(value: string, thorough = true): SecretFinding | undefined {
  if (PRIVATE_KEY_RE.test(value)) return { kind: 'private-key', reason: 'it holds a private key block' };
  if (URL_CREDENTIALS_RE.test(value))
    return { kind: 'url-credentials', reason: 'it holds a URL with user:password@' };
  for (const [re, what] of KNOWN_TOKENS) {
    if (re.test(value)) return { kind: 'known-token', reason: `it holds what looks like ${what}` };
  }
  if (thorough) {
    const withoutPlaceholders = value.replace(/\$?\{[A-Za-z][A-Za-z0-9_]*\}/g, ' ');
    if (withoutPlaceholders.split(/[\s,;:@'"/?&=.]+/).some(looksLikeToken)) {
      return { kind: 'high-entropy', reason: 'it holds a long random-looking token' };
    }
  }
  return undefined;
}
