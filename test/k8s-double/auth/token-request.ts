/**
 * `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token` (TokenRequest, what
 * `kubectl create token` calls), as kubernetes v1.31 pkg/registry/core/serviceaccount/storage/
 * token.go serves it: the service account must exist (404 otherwise); `expirationSeconds`
 * defaults to 3600 and must be at least 600 (pkg/apis/authentication/validation: "may not specify
 * a duration less than 10 minutes") and at most 2^32; `audiences` default to the API audience.
 * The answer (201) is the TokenRequest with `status.token` and `status.expirationTimestamp`.
 */

import { rfc3339 } from '../api/clock.js';
import { R } from '../api/resources.js';
import { invalid, notFound } from '../api/status.js';
import type { Store } from '../store/store.js';
import { ISSUER, type TokenIssuer } from './tokens.js';

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
}

export function tokenRequest(
  store: Store,
  tokens: TokenIssuer,
  namespace: string,
  name: string,
  raw: unknown,
) {
  const sa = store.peek(R.serviceaccounts, namespace, name);
  if (!sa) throw notFound({ plural: 'serviceaccounts', group: '', kind: 'ServiceAccount', name });
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as { spec?: TokenRequestSpec };
  const spec = body.spec ?? {};
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < 600 || expirationSeconds > 2 ** 32) {
    throw invalid('TokenRequest.authentication.k8s.io', name, '', [
      {
        type: 'Invalid',
        field: 'spec.expirationSeconds',
        value: expirationSeconds,
        detail:
          expirationSeconds < 600
            ? 'may not specify a duration less than 10 minutes'
            : 'may not specify a duration larger than 2^32 seconds',
      },
    ]);
  }
  const audiences = spec.audiences && spec.audiences.length > 0 ? spec.audiences : [ISSUER];
  const now = new Date();
  const { token, expires } = tokens.issue(
    { namespace, serviceAccount: { name, uid: sa.metadata.uid }, audiences, expirationSeconds },
    now,
  );
  return {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace, creationTimestamp: rfc3339(now) },
    spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: rfc3339(expires) },
  };
}
