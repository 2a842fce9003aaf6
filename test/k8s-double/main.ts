/**
 * Runs the Kubernetes test double standalone and prints the kubeconfig path:
 *   npx tsx test/k8s-double/main.ts [--port N] [--pod-port-base N] [--node-name NAME]
 *   npx tsx test/k8s-double/main.ts --cleanup   (removes containers left by crashed doubles)
 * Stops (removing every container it created) on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import Dockerode from 'dockerode';
import { startK8sDouble, sweepOrphans } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'pod-port-base': { type: 'string' },
    'node-name': { type: 'string' },
    kubeconfig: { type: 'string' },
    cleanup: { type: 'boolean' },
  },
});

if (values.cleanup) {
  const removed = await sweepOrphans(new Dockerode());
  console.log(
    `removed ${removed.containers} containers and ${removed.dirs} directories left by stopped doubles`,
  );
  process.exit(0);
}

const double = await startK8sDouble({
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values['pod-port-base'] ? { podPortBase: Number(values['pod-port-base']) } : {}),
  ...(values['node-name'] ? { nodeName: values['node-name'] } : {}),
  ...(values.kubeconfig ? { kubeconfigPath: values.kubeconfig } : {}),
});
console.log(double.kubeconfigPath);
console.error(`k8s double listening on ${double.url} (KUBECONFIG=${double.kubeconfigPath})`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await double.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
