// The GitLab side of bench:dispatch in a process of its own, as GitLab is another host: a git
// server (smart HTTP, `git http-backend`) holding one repository. Prints one JSON line
// {"cloneUrl","sha"} when ready; ends when its stdin closes (the bench ended or died).
import { startGitServer } from '@ferry/doubles/git';

const git = await startGitServer();
const repo = await git.createRepo('bench-app', { 'README.md': 'bench\n' }, 'test');
process.stdout.write(`${JSON.stringify({ cloneUrl: repo.cloneUrl, sha: await repo.head('test') })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  git.close().finally(() => process.exit(0));
});
