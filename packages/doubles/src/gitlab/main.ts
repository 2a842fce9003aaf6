/**
 * The GitLab double on its own, to try Ferry against before pointing it at a real GitLab:
 *   ferry-gitlab-double [--port N] [--token T] [--project ID:group/name[:http_url_to_repo]]…
 * Listens on 127.0.0.1, prints its URLs, serves `/` (what it received) and `/api/v4`; see
 * docs/test-doubles.md. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { stopOnSignal } from '../shared/stop-on-signal.js';
import { startGitLabDouble } from './gitlab-double.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    token: { type: 'string' },
    project: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: ferry-gitlab-double [--port N] [--token T] [--project ID:group/name[:http_url_to_repo]]...\n',
  );
  process.exit(0);
}

const double = await startGitLabDouble({
  ...(values.port === undefined ? {} : { port: Number(values.port) }),
  ...(values.token === undefined ? {} : { token: values.token }),
});
for (const spec of values.project ?? []) {
  const [id, path, ...url] = spec.split(':');
  if (id === undefined || !/^\d+$/.test(id) || path === undefined) {
    process.stderr.write(`--project ${spec}: expected ID:group/name[:http_url_to_repo]\n`);
    await double.close();
    process.exit(2);
  }
  double.projects.addProject({
    id: Number(id),
    path_with_namespace: path,
    instanceUrl: double.url,
    ...(url.length > 0 ? { httpUrlToRepo: url.join(':') } : {}),
  });
}
process.stdout.write(
  [
    `GitLab double: ${double.url}/ (what it received)`,
    `  API:   ${double.apiUrl}  (Ferry's gitlab.url: ${double.url}${values.token === undefined ? `; the double's own token: ${double.token}` : ''})`,
    `  admin: POST ${double.url}/-/double/projects, /-/double/branches (docs/test-doubles.md)`,
    '',
  ].join('\n'),
);

stopOnSignal(() => double.close());
