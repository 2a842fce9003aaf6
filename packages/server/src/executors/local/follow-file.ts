import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';

const CHUNK = 256 * 1024;

/**
 * A file another process is writing, read as a stream from its start: what is there now, then
 * what is appended (looked for every `pollMs`), until `ended` resolves (the writer exited) and
 * everything written is read. Reads only as fast as the consumer takes (backpressure), so a
 * stage's 100 MB stays on disk, not in memory.
 */
export function followFile(path: string, ended: Promise<unknown>, pollMs = 25): Readable {
  let handle: FileHandle | undefined;
  let position = 0;
  // A read that found nothing new keeps its buffer for the next one (polls allocate nothing).
  let spare: Buffer | undefined;
  let done = false;
  const mark = () => {
    done = true;
  };
  ended.then(mark, mark);
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      void (async () => {
        try {
          handle ??= await open(path, 'r');
          for (;;) {
            // Read after noting the end: no byte written before the writer exited is missed.
            const finished = done;
            const buffer = spare ?? Buffer.allocUnsafe(CHUNK);
            spare = undefined;
            const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
            if (bytesRead > 0) {
              position += bytesRead;
              this.push(buffer.subarray(0, bytesRead));
              return;
            }
            spare = buffer;
            if (finished) {
              await handle.close();
              handle = undefined;
              this.push(null);
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, pollMs));
            if (this.destroyed) return;
          }
        } catch (err) {
          this.destroy(err as Error);
        }
      })();
    },
    destroy(err, callback) {
      const open = handle;
      handle = undefined;
      if (open === undefined) return callback(err);
      open.close().then(
        () => callback(err),
        () => callback(err),
      );
    },
  });
}
