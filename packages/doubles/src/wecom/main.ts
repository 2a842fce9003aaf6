/**
 * The WeCom group-bot double on its own:
 *   ferry-wecom-double [--port N] [--key K]…
 * Listens on 127.0.0.1, prints its URLs (the bot's webhook URL and `/`, what it received);
 * see docs/test-doubles.md. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { stopOnSignal } from '../shared/stop-on-signal.js';
import { startWeComDouble } from './wecom-double.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    key: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('usage: ferry-wecom-double [--port N] [--key K]...\n');
  process.exit(0);
}

const double = await startWeComDouble({
  ...(values.port === undefined ? {} : { port: Number(values.port) }),
  ...(values.key === undefined ? {} : { keys: values.key }),
});
process.stdout.write(
  [
    `WeCom double: ${double.url}/ (what it received)`,
    `  bot webhook: ${double.url}/cgi-bin/webhook/send?key=<key>  (${double.keys.size} key${double.keys.size === 1 ? '' : 's'}: the ones given with --key, or one drawn at random${values.key === undefined ? ` — ${double.key}` : ''})`,
    '',
  ].join('\n'),
);

stopOnSignal(() => double.close());
