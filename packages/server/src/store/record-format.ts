import { FerryError, PipelineErrors } from '@ferry/shared';

/**
 * The format of the pipeline records Ferry stores: the `format` field of a pipeline's Redis hash
 * and of its JSON in the archive. Records written before the field existed (Ferry 0.1.0) carry none
 * and are format 1. A change an older Ferry could not read raises it; a Ferry reads every format up
 * to its own and refuses a newer one with FERRY_ERR_PIPELINE_RECORD_FORMAT_UNSUPPORTED.
 */
export const PIPELINE_RECORD_FORMAT = 1;

/** Throws unless a record stored with `format` (absent: 1) is one this Ferry reads. */
export function assertReadableFormat(format: unknown, id: string): void {
  if (format === undefined || format === null) return;
  const n = typeof format === 'number' ? format : Number(format);
  if (Number.isInteger(n) && n >= 1 && n <= PIPELINE_RECORD_FORMAT) return;
  throw new FerryError(PipelineErrors.PIPELINE_RECORD_FORMAT_UNSUPPORTED, {
    id,
    format: String(format),
    supported: String(PIPELINE_RECORD_FORMAT),
  });
}
