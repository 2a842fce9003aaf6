/**
 * The subset of the Kubernetes object shapes Ferry renders, as plain JSON types (the shared
 * package does not depend on a Kubernetes client). Field names and nesting are the API's own,
 * so a runner can send these objects as they are.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

export interface NamespaceManifest extends ManifestObject {
  apiVersion: 'v1';
  kind: 'Namespace';
}

export interface SecretManifest extends ManifestObject {
  apiVersion: 'v1';
  kind: 'Secret';
  type: string;
  /** Base64 values, as the API stores them. */
  data: Record<string, string>;
}

export interface VolumeClaimManifest extends ManifestObject {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  spec: {
    accessModes: string[];
    resources: { requests: { storage: string } };
    storageClassName?: string;
  };
}

export interface ProbeManifest {
  httpGet?: { path: string; port: number };
  tcpSocket?: { port: number };
  initialDelaySeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}

export interface EnvFromManifest {
  secretRef?: { name: string; optional: boolean };
  configMapRef?: { name: string; optional: boolean };
}

export interface ContainerManifest {
  name: string;
  image: string;
  ports: { name: string; containerPort: number; protocol: 'TCP' }[];
  env: { name: string; value: string }[];
  envFrom: EnvFromManifest[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  readinessProbe: ProbeManifest;
  livenessProbe?: ProbeManifest;
  volumeMounts?: { name: string; mountPath: string }[];
  securityContext?: { allowPrivilegeEscalation: false; capabilities: { drop: ['ALL'] } };
}

/** What the pod asks of the kubelet: non-root and the runtime's seccomp profile (restricted). */
export interface PodSecurityManifest {
  runAsNonRoot?: true;
  runAsUser?: number;
  seccompProfile: { type: 'RuntimeDefault' };
}

export interface PodTemplateManifest {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    securityContext: PodSecurityManifest;
    containers: ContainerManifest[];
    imagePullSecrets?: { name: string }[];
    volumes?: { name: string; persistentVolumeClaim: { claimName: string } }[];
  };
}

export interface DeploymentManifest extends ManifestObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  spec: {
    replicas: number;
    revisionHistoryLimit: number;
    progressDeadlineSeconds: number;
    selector: { matchLabels: Record<string, string> };
    strategy: {
      type: 'RollingUpdate';
      rollingUpdate: { maxSurge: number | string; maxUnavailable: number | string };
    };
    template: PodTemplateManifest;
  };
}

export interface ServiceManifest extends ManifestObject {
  apiVersion: 'v1';
  kind: 'Service';
  spec: {
    type: 'ClusterIP';
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string; protocol: 'TCP' }[];
  };
}

export interface IngressManifest extends ManifestObject {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'Ingress';
  spec: {
    rules: {
      host: string;
      http: {
        paths: {
          path: string;
          pathType: 'Prefix';
          backend: { service: { name: string; port: { name: string } } };
        }[];
      };
    }[];
    tls?: { hosts: string[]; secretName: string }[];
  };
}

/** Every object change pod may apply. */
export type ReleaseManifest =
  | NamespaceManifest
  | SecretManifest
  | VolumeClaimManifest
  | DeploymentManifest
  | ServiceManifest
  | IngressManifest;
