import { tryParseQuantity } from '@ferry/shared';

/** A stage's resources as Docker limits: memory in bytes, CPU in billionths of a core. */
export function resourceLimits(resources: { cpu?: string; memory?: string } | undefined): {
  Memory?: number;
  NanoCpus?: number;
} {
  const limits: { Memory?: number; NanoCpus?: number } = {};
  const memory = resources?.memory === undefined ? undefined : tryParseQuantity(resources.memory);
  if (memory !== undefined && memory.value > 0) limits.Memory = Math.round(memory.value);
  const cpu = resources?.cpu === undefined ? undefined : tryParseQuantity(resources.cpu);
  if (cpu !== undefined && cpu.value > 0) limits.NanoCpus = Math.round(cpu.value * 1e9);
  return limits;
}
