/**
 * Service account tokens as kube-apiserver v1.31 issues and checks them
 * (pkg/serviceaccount/jwt.go, claims.go): RS256 JWTs with the claims `iss`, `sub`
 * (`system:serviceaccount:<ns>:<name>`), `aud`, `exp`, `iat`, `nbf`, `jti` and `kubernetes.io`
 * (namespace, serviceaccount name/uid, the pod a kubelet token is bound to). A token is accepted
 * while it has not expired, names the API audience, and its service account (and bound pod) still
 * exist with the same uid; otherwise the request is 401.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { R } from '../api/resources.js';
import type { Store } from '../store/store.js';
import { serviceAccountUser, type UserInfo } from './user.js';

/** `--service-account-issuer` and the API audience of a kind/kubeadm cluster. */
export const ISSUER = 'https://kubernetes.default.svc.cluster.local';

interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

export interface IssueRequest {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  audiences?: string[];
  expirationSeconds: number;
  pod?: { name: string; uid: string };
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export class TokenIssuer {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;

  constructor(private readonly store: Store) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.kid = randomUUID().replaceAll('-', '');
  }

  issue(req: IssueRequest, now = new Date()): { token: string; expires: Date } {
    const iat = Math.floor(now.getTime() / 1000);
    const claims: Claims = {
      iss: ISSUER,
      sub: `system:serviceaccount:${req.namespace}:${req.serviceAccount.name}`,
      aud: req.audiences && req.audiences.length > 0 ? req.audiences : [ISSUER],
      exp: iat + req.expirationSeconds,
      iat,
      nbf: iat,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace: req.namespace,
        serviceaccount: req.serviceAccount,
        ...(req.pod ? { pod: req.pod } : {}),
      },
    };
    const head = `${b64url(JSON.stringify({ alg: 'RS256', kid: this.kid }))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(head), this.privateKey);
    return { token: `${head}.${b64url(signature)}`, expires: new Date(claims.exp * 1000) };
  }

  /** The user a token stands for, or undefined when it is not (or no longer) valid. */
  authenticate(token: string, now = new Date()): UserInfo | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, signature] = parts as [string, string, string];
    if (
      !verify('sha256', Buffer.from(`${head}.${body}`), this.publicKey, Buffer.from(signature, 'base64url'))
    )
      return undefined;
    let claims: Claims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Claims;
    } catch {
      return undefined;
    }
    const seconds = now.getTime() / 1000;
    if (claims.exp < seconds || claims.nbf > seconds + 60 || !claims.aud.includes(ISSUER)) return undefined;
    const k = claims['kubernetes.io'];
    const sa = this.store.peek(R.serviceaccounts, k.namespace, k.serviceaccount.name);
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid || sa.metadata.deletionTimestamp) return undefined;
    if (k.pod) {
      const pod = this.store.peek(R.pods, k.namespace, k.pod.name);
      if (!pod || pod.metadata.uid !== k.pod.uid) return undefined;
    }
    const user = serviceAccountUser(k.namespace, k.serviceaccount.name, k.serviceaccount.uid);
    user.extra = {
      'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`],
      ...(k.pod
        ? {
            'authentication.kubernetes.io/pod-name': [k.pod.name],
            'authentication.kubernetes.io/pod-uid': [k.pod.uid],
          }
        : {}),
    };
    return user;
  }
}
