import {
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  Observable,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';

/** The API clients change pod uses, from one kubeconfig. */
export interface KubeClients {
  readonly kc: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly net: NetworkingV1Api;
  /** The API server's URL, for messages. */
  readonly server: string;
}

/**
 * Clients from the kubeconfig's content (a context of it when given), or from the pod's service
 * account (in-cluster) when there is none.
 */
export function kubeClients(kubeconfig: string | null, context: string | null): KubeClients {
  const kc = new KubeConfig();
  if (kubeconfig === null) kc.loadFromCluster();
  else kc.loadFromString(kubeconfig);
  if (context !== null) kc.setCurrentContext(context);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    net: kc.makeApiClient(NetworkingV1Api),
    server: kc.getCurrentCluster()?.server ?? '(in-cluster)',
  };
}

/**
 * Per-call options: the request aborts with `signal`; `contentType` replaces the body's type
 * (server-side apply sends `application/apply-patch+yaml`; a JSON body is valid YAML).
 */
export function callOptions(signal: AbortSignal, contentType?: string): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(signal);
          if (contentType !== undefined) ctx.setHeaderParam('Content-Type', contentType);
          return new Observable(Promise.resolve(ctx));
        },
        post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
