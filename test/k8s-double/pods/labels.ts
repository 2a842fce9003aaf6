/** Labels on every Docker object the double creates, so a cleanup can find leftovers. */
export const LABEL = 'ferry.k8s-double';
export const LABEL_INSTANCE = 'ferry.k8s-double.instance';
export const LABEL_PID = 'ferry.k8s-double.pid';
export const LABEL_NAMESPACE = 'ferry.k8s-double.namespace';
export const LABEL_POD = 'ferry.k8s-double.pod';
export const LABEL_UID = 'ferry.k8s-double.uid';
export const LABEL_CONTAINER = 'ferry.k8s-double.container';

export function containerLabels(
  instance: string,
  namespace: string,
  pod: string,
  uid: string,
  container: string,
): Record<string, string> {
  return {
    [LABEL]: '1',
    [LABEL_INSTANCE]: instance,
    [LABEL_PID]: String(process.pid),
    [LABEL_NAMESPACE]: namespace,
    [LABEL_POD]: pod,
    [LABEL_UID]: uid,
    [LABEL_CONTAINER]: container,
  };
}
