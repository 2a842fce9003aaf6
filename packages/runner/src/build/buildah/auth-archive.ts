import { pack } from 'tar-stream';
import { BuildahSandbox } from './sandbox.js';

/**
 * The registry auth file as a tar archive to unpack at `/` of a created build container (the
 * docker executor's `putArchive` before the start): `/run/ferry/registry/auth.json`, owned by root,
 * mode 0400, in a 0700 directory. So the credential reaches buildah as a file, never as an
 * environment variable or an argument, which `docker inspect` would show; the file goes with the
 * container.
 */
export async function authFileArchive(authJson: string): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(Buffer.from(chunk as Uint8Array)));
  const ended = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  const owner = { uid: 0, gid: 0, mtime: new Date(0) };
  const dirs = BuildahSandbox.authDir.split('/').filter((p) => p !== '');
  dirs.forEach((_, i) => {
    const last = i === dirs.length - 1;
    archive.entry({
      ...owner,
      name: `${dirs.slice(0, i + 1).join('/')}/`,
      type: 'directory',
      mode: last ? 0o700 : 0o755,
    });
  });
  archive.entry(
    { ...owner, name: `${dirs.join('/')}/${BuildahSandbox.authFileName}`, type: 'file', mode: 0o400 },
    authJson,
  );
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}
