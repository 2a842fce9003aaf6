/** One frame of Docker's multiplexed log stream (non-TTY containers). */
export interface LogFrame {
  stream: 'stdout' | 'stderr';
  payload: Buffer;
}

/**
 * Splits Docker's multiplexed stream into frames: an 8-byte header (stream type, 3 zero bytes,
 * big-endian payload length) then the payload. Chunks may cut a header or payload anywhere; what
 * is incomplete is kept for the next chunk (at most one frame, Docker frames are ≤ 16 KiB of log).
 */
export class LogDemuxer {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): LogFrame[] {
    const data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: LogFrame[] = [];
    let offset = 0;
    while (data.length - offset >= 8) {
      const type = data[offset];
      const length = data.readUInt32BE(offset + 4);
      if (data.length - offset - 8 < length) break;
      const payload = data.subarray(offset + 8, offset + 8 + length);
      // 0 (stdin, echoed) and 1 are shown as stdout; 2 is stderr.
      frames.push({ stream: type === 2 ? 'stderr' : 'stdout', payload });
      offset += 8 + length;
    }
    this.#pending = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset));
    return frames;
  }

  /** Bytes of an incomplete frame at the end of the stream (0 when it ended cleanly). */
  get leftover(): number {
    return this.#pending.length;
  }
}
