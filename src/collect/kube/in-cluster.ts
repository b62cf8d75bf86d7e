/** Where a pod's service-account token is mounted; its presence means "running in a cluster". Kept apart from the (heavy) Kubernetes client so checking it loads nothing. */
export const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
