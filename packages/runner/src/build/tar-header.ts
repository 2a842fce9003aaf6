/** Entry kinds the build context holds. */
export type TarEntryType = 'file' | 'directory' | 'symlink';

export interface TarEntry {
  /** `/`-separated path inside the archive; directories without a trailing slash. */
  readonly name: string;
  readonly type: TarEntryType;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  /** Bytes of content (files only). */
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  /** Target of a symbolic link. */
  readonly linkname?: string;
}

export const BLOCK = 512;
const TYPEFLAG: Record<TarEntryType, string> = { file: '0', directory: '5', symlink: '2' };

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}

function fits(text: string, bytes: number): boolean {
  return Buffer.byteLength(text, 'utf8') <= bytes && /^[\x20-\x7e]*$/.test(text);
}

function ustar(entry: {
  name: string;
  typeflag: string;
  mode: number;
  size: number;
  mtime: number;
  linkname: string;
}): Buffer {
  const block = Buffer.alloc(BLOCK, 0);
  block.write(entry.name, 0, 100, 'utf8');
  block.write(octal(entry.mode, 8), 100, 8, 'ascii');
  block.write(octal(0, 8), 108, 8, 'ascii');
  block.write(octal(0, 8), 116, 8, 'ascii');
  block.write(octal(entry.size, 12), 124, 12, 'ascii');
  block.write(octal(Math.max(0, Math.floor(entry.mtime)), 12), 136, 12, 'ascii');
  block.write('        ', 148, 8, 'ascii');
  block.write(entry.typeflag, 156, 1, 'ascii');
  block.write(entry.linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

/** A PAX record: `<length> <key>=<value>\n`, where the length counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const base = Buffer.byteLength(body, 'utf8');
  let length = base + 1;
  while (base + String(length).length !== length) length = base + String(length).length;
  return `${length}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

/**
 * The header blocks of one entry: a PAX extended header first when the name or link target does
 * not fit ustar's 100 ASCII bytes, then the ustar header. Content and its padding follow. Pure.
 */
export function tarHeader(entry: TarEntry): Buffer {
  const linkname = entry.linkname ?? '';
  const size = entry.type === 'file' ? entry.size : 0;
  const name = entry.type === 'directory' ? `${entry.name}/` : entry.name;
  const records: string[] = [];
  if (!fits(name, 100)) records.push(paxRecord('path', name));
  if (!fits(linkname, 100)) records.push(paxRecord('linkpath', linkname));
  const blocks: Buffer[] = [];
  if (records.length > 0) {
    const pax = Buffer.from(records.join(''), 'utf8');
    blocks.push(
      ustar({
        name: 'PaxHeader',
        typeflag: 'x',
        mode: 0o644,
        size: pax.length,
        mtime: entry.mtime,
        linkname: '',
      }),
      pax,
      padding(pax.length),
    );
  }
  blocks.push(
    ustar({
      name: fits(name, 100) ? name : name.slice(-99).replace(/[^\x20-\x7e]/g, '_'),
      typeflag: TYPEFLAG[entry.type],
      mode: entry.mode,
      size,
      mtime: entry.mtime,
      linkname: fits(linkname, 100) ? linkname : '',
    }),
  );
  return Buffer.concat(blocks);
}

/** Zero bytes that end a file's content on a block boundary. */
export function contentPadding(size: number): Buffer {
  return padding(size);
}

/** The two zero blocks that end an archive. */
export function tarEnd(): Buffer {
  return Buffer.alloc(BLOCK * 2, 0);
}
