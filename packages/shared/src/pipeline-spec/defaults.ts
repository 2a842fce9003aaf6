/**
 * What Ferry uses when neither the default template nor the project's file says otherwise.
 * docs/spec.md lists these; change both together.
 */
export const DEFAULTS = {
  test: { timeout: '15m', cpu: '1', memory: '2Gi', failFast: true, serviceReadyTimeout: '60s' },
  build: { dockerfile: 'Dockerfile', context: '.', timeout: '30m' },
  deploy: {
    port: 8080,
    replicas: 1,
    cpu: '100m',
    memory: '256Mi',
    ingressPath: '/',
    probe: { initialDelay: '0s', period: '10s', failureThreshold: 3 },
    rollout: { progressDeadline: '10m', maxSurge: '25%', maxUnavailable: 0 },
  },
  environment: {
    approval: false,
    approvalTimeout: '24h',
    supersede: true,
    priority: 'normal',
    canaryPause: '5m',
  },
} as const;

export type Priority = 'high' | 'normal' | 'low';
