/**
 * Kubernetes quantities as written in a pipeline file: CPU (`500m`, `2`, `0.5`) and bytes
 * (`512Mi`, `1Gi`, `5G`). Only non-negative values; the sign is not part of Ferry's grammar.
 */

const SUFFIX_FACTOR: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** JSON Schema pattern for a quantity written as text. */
export const QUANTITY_PATTERN =
  '^(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$';
const QUANTITY_RE = /^(\d+(?:\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

export interface ParsedQuantity {
  /** The value in base units (cores for CPU, bytes for memory). */
  readonly value: number;
  /** The suffix as written (`''` for none, `e3` for an exponent). */
  readonly suffix: string;
}

/** Parses a quantity, or undefined when `input` is not one. Numbers (YAML `cpu: 2`) are accepted. */
export function tryParseQuantity(input: string | number): ParsedQuantity | undefined {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? { value: input, suffix: '' } : undefined;
  }
  const match = QUANTITY_RE.exec(input);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const suffix = match[2] ?? '';
  const factor = /^[eE][+-]?\d/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX_FACTOR[suffix];
  if (factor === undefined || !Number.isFinite(amount * factor)) return undefined;
  return { value: amount * factor, suffix };
}

/** `500m` → 0.5, `1Gi` → 1073741824, `0.5` → 0.5. Throws a TypeError when it is not a quantity. */
export function parseQuantity(input: string | number): number {
  const parsed = tryParseQuantity(input);
  if (!parsed) {
    throw new TypeError(
      `"${input}" is not a quantity; write a number with an optional unit, like 500m, 2 or 1Gi`,
    );
  }
  return parsed.value;
}

/** Bounds Ferry accepts; generous, so they only catch typos (operators set quotas). */
export const CPU_MIN_CORES = 0.001;
export const CPU_MAX_CORES = 64;
export const MEMORY_MIN_BYTES = 4 * 2 ** 20;
export const MEMORY_MAX_BYTES = 512 * 2 ** 30;
export const STORAGE_MIN_BYTES = 2 ** 20;
export const STORAGE_MAX_BYTES = 64 * 2 ** 40;

const BINARY = new Set(['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei']);

/** What is wrong with a quantity, and what to write instead. */
export interface QuantityProblem {
  readonly message: string;
  readonly hint: string;
}

const CPU_HINT = 'CPU is cores (2, 0.5) or millicores (500m)';

/** Why `input` is not a CPU amount, or undefined. */
export function cpuProblem(input: string | number): QuantityProblem | undefined {
  const parsed = tryParseQuantity(input);
  if (!parsed) return { message: `"${input}" is not a CPU amount`, hint: CPU_HINT };
  if (BINARY.has(parsed.suffix)) return { message: `"${input}" is a byte size, not CPU`, hint: CPU_HINT };
  if (parsed.value < CPU_MIN_CORES)
    return { message: `"${input}" is less than 1m (a thousandth of a core)`, hint: CPU_HINT };
  if (parsed.value > CPU_MAX_CORES)
    return { message: `"${input}" is more than ${CPU_MAX_CORES} cores`, hint: CPU_HINT };
  return undefined;
}

function bytesProblem(
  input: string | number,
  what: string,
  min: number,
  max: number,
): QuantityProblem | undefined {
  const hint = `write a size with a unit, from ${formatBytes(min)} to ${formatBytes(max)}, e.g. 512Mi or 2Gi`;
  const parsed = tryParseQuantity(input);
  if (!parsed) return { message: `"${input}" is not a size`, hint };
  if (parsed.suffix === 'm') {
    return {
      message: `"${input}" means ${parsed.value} bytes ("m" is milli)`,
      hint: `write ${String(input).slice(0, -1)}Mi for mebibytes`,
    };
  }
  if (parsed.value < min)
    return { message: `"${input}" is below the smallest ${what} (${formatBytes(min)})`, hint };
  if (parsed.value > max)
    return { message: `"${input}" is above the largest ${what} (${formatBytes(max)})`, hint };
  return undefined;
}

/** Why `input` is not a memory size, or undefined. */
export function memoryProblem(input: string | number): QuantityProblem | undefined {
  return bytesProblem(input, 'memory size', MEMORY_MIN_BYTES, MEMORY_MAX_BYTES);
}

/** Why `input` is not a storage size, or undefined. */
export function storageProblem(input: string | number): QuantityProblem | undefined {
  return bytesProblem(input, 'storage size', STORAGE_MIN_BYTES, STORAGE_MAX_BYTES);
}

/** `536870912` → `512Mi` (whole binary units where possible). */
export function formatBytes(bytes: number): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = SUFFIX_FACTOR[unit] ?? 1;
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
