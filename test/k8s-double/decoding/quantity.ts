/**
 * Resource quantities in the canonical form the apiserver stores and returns, so `0.5` becomes
 * `500m`, `1024Mi` becomes `1Gi` and `1.5` becomes `1500m`. Ported from
 * k8s.io/apimachinery/pkg/api/resource (quantity.go: ParseQuantity, CanonicalizeBytes,
 * AsCanonicalBytes, AsCanonicalBase1024Bytes; suffix.go):
 * - the format follows the suffix: `Ki…Ei` binary, `e<n>` decimal exponent, otherwise decimal SI;
 * - values are exact decimals, rounded up to nano units (`1n`), as the apiserver does;
 * - decimal forms print an integer mantissa with an exponent that is a multiple of three
 *   (`1500m`, `1k`, `1200k`), decimal exponent forms as `1e3`;
 * - binary forms print the largest power of 1024 that divides the value exactly (`1536Mi`); a
 *   binary value below 1024 or not a whole number is printed as decimal SI.
 * Exact arithmetic with BigInt: value = mantissa × 10^exponent.
 */

const binarySuffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;
const decimalSuffixes: Record<number, string> = {
  [-9]: 'n',
  [-6]: 'u',
  [-3]: 'm',
  0: '',
  3: 'k',
  6: 'M',
  9: 'G',
  12: 'T',
  15: 'P',
  18: 'E',
};
const decimalExponents = Object.fromEntries(Object.entries(decimalSuffixes).map(([e, s]) => [s, Number(e)]));

type Format = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface ParsedQuantity {
  /** value = mantissa × 10^exponent */
  mantissa: bigint;
  exponent: number;
  format: Format;
}

const quantityRe =
  /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** ParseQuantity; undefined where the apiserver answers `quantities must match the regular expression`. */
export function parseExact(input: string | number): ParsedQuantity | undefined {
  const text = typeof input === 'number' ? numberText(input) : input.trim();
  const m = quantityRe.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const sign = m[1] === '-' ? -1n : 1n;
  const fraction = m[3] ?? '';
  let mantissa = sign * BigInt(`${m[2] || '0'}${fraction}` || '0');
  let exponent = -fraction.length;
  let format: Format = 'DecimalSI';
  if (m[4]) {
    format = 'DecimalExponent';
    exponent += Number(m[4].slice(1));
  } else if (m[5]) {
    const binary = binarySuffixes.indexOf(m[5] as (typeof binarySuffixes)[number]);
    if (binary > 0) {
      format = 'BinarySI';
      mantissa *= 1024n ** BigInt(binary);
    } else exponent += decimalExponents[m[5]] ?? 0;
  }
  // Precision below 1n is rounded up (away from zero), as ParseQuantity does.
  if (exponent < -9) {
    const divisor = 10n ** BigInt(-9 - exponent);
    const q = mantissa / divisor;
    mantissa = q * divisor === mantissa ? q : q + (mantissa > 0n ? 1n : -1n);
    exponent = -9;
  }
  return normalise({ mantissa, exponent, format });
}

function numberText(n: number): string {
  const s = String(n);
  return s.includes('e') ? n.toFixed(9).replace(/\.?0+$/, '') : s;
}

/** Strips trailing zeros of the mantissa into the exponent. */
function normalise(q: ParsedQuantity): ParsedQuantity {
  let { mantissa, exponent } = q;
  if (mantissa === 0n) return { ...q, mantissa: 0n, exponent: 0 };
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  return { mantissa, exponent, format: q.format };
}

/** mantissa × 10^exponent with exponent a multiple of three, for the SI suffixes. */
function decimalForm(q: ParsedQuantity): { mantissa: bigint; exponent: number } {
  let { mantissa, exponent } = q;
  const rem = ((exponent % 3) + 3) % 3;
  if (rem !== 0) {
    mantissa *= 10n ** BigInt(rem);
    exponent -= rem;
  }
  return { mantissa, exponent };
}

/** The integer value, when the quantity is a whole number. */
function wholeValue(q: ParsedQuantity): bigint | undefined {
  if (q.exponent >= 0) return q.mantissa * 10n ** BigInt(q.exponent);
  const d = 10n ** BigInt(-q.exponent);
  return q.mantissa % d === 0n ? q.mantissa / d : undefined;
}

/** Quantity.String(): the canonical text. */
export function formatQuantity(q: ParsedQuantity): string {
  if (q.mantissa === 0n) return '0';
  if (q.format === 'BinarySI') {
    const whole = wholeValue(q);
    const abs = whole !== undefined && whole < 0n ? -whole : whole;
    if (whole !== undefined && abs !== undefined && abs >= 1024n) {
      let value = whole;
      let power = 0;
      while (power < binarySuffixes.length - 1 && value % 1024n === 0n) {
        value /= 1024n;
        power += 1;
      }
      return `${value}${binarySuffixes[power]}`;
    }
  }
  const { mantissa, exponent } = decimalForm(q);
  if (q.format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  const suffix = decimalSuffixes[exponent];
  if (suffix !== undefined) return `${mantissa}${suffix}`;
  // Beyond E: print with a decimal exponent, as the suffixer falls back to.
  return `${mantissa}e${exponent}`;
}

/** The canonical text of a quantity, or undefined when it does not parse. */
export function canonicalQuantity(value: string | number): string | undefined {
  const q = parseExact(value);
  return q === undefined ? undefined : formatQuantity(q);
}
