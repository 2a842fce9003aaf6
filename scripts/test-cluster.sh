#!/usr/bin/env bash
# npm run test:cluster: against a real Kubernetes cluster, the checks npm test runs against the
# double: the executor conformance suite with a least-privilege token in a restricted, quota-bound
# namespace, the cluster-only failure tests, and Ferry's rendered manifests through kubectl apply
# --server-side (validation on) and kubectl rollout status. Not part of npm test. README → Real cluster.
#   KUBECONFIG=~/.kube/config FERRY_CLUSTER_RUNNER_IMAGE=registry.example/ferry/runner:1 \
#   FERRY_CLUSTER_APP_IMAGE=registry.example/ferry/sample-app:1 npm run test:cluster
# Optional: FERRY_CLUSTER_CONTEXT, FERRY_CLUSTER_NAMESPACE (default: a fresh namespace, deleted
# after), FERRY_CLUSTER_STAGE_IMAGE (default busybox:1.36), FERRY_CLUSTER_PULL_SECRETS (comma list),
# FERRY_CLUSTER_HOST_ADDRESS (where pods reach this machine; needed by the clone tests).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${KUBECONFIG:-}" ]; then
  echo "test:cluster runs against a real cluster and needs KUBECONFIG (kind, k3s or any cluster);" >&2
  echo "it is set to nothing, so nothing ran. The Kubernetes test double runs in npm test instead." >&2
  exit 2
fi
first=${KUBECONFIG%%:*}
if [ ! -r "$first" ]; then
  echo "test:cluster: KUBECONFIG points at $first, which cannot be read" >&2
  exit 2
fi
if [ -z "${FERRY_CLUSTER_RUNNER_IMAGE:-}" ]; then
  echo "test:cluster needs FERRY_CLUSTER_RUNNER_IMAGE: the runner image (deploy/runner/Dockerfile," >&2
  echo "built by scripts/lib/runner-image.sh with RUNNER_BASE/RUNNER_TAG) pushed where the cluster pulls" >&2
  exit 2
fi

if [ -z "${FERRY_CLUSTER_APP_IMAGE:-}" ]; then
  echo "test:cluster needs FERRY_CLUSTER_APP_IMAGE: an image serving HTTP on \$PORT as a numeric non-root user," >&2
  echo "pullable by the cluster, for the rendered-apply check (kubectl apply --server-side, rollout status)" >&2
  exit 2
fi
if [ ! -x "${KUBECTL:-/usr/bin/kubectl}" ]; then
  echo "test:cluster needs kubectl at /usr/bin/kubectl (or KUBECTL=path) for the rendered-apply check" >&2
  exit 2
fi

exec npx vitest run --config test/cluster/vitest.config.ts "$@"
