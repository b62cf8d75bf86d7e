/**
 * The `cluster:` section of the config file: whether tcpcheck reads the Kubernetes API (Services,
 * EndpointSlices, pods, nodes, kube-proxy's ConfigMap) beside the node's own collection. It uses
 * the credentials of the `kube:` section. Composed into the full schema by src/config/index.ts.
 *
 * ```yaml
 * cluster:
 *   enabled: true       # omit: on when Kubernetes credentials are present
 *   timeoutMs: 10000
 * ```
 */
import { z } from 'zod';

export const clusterConfigSchema = z
  .object({
    /**
     * Read the cluster context. Unset: on when Kubernetes credentials are present (`kube.kubeconfig`,
     * the pod's service account, `$KUBECONFIG` or `~/.kube/config`). @defaultValue undefined
     */
    enabled: z.boolean().optional(),
    /** Cap on all the API reads of one diagnosis; past it the report says the cluster was not read. @defaultValue 10000 */
    timeoutMs: z.number().int().min(500).max(120_000).default(10_000),
    /** Objects per list request (`limit`); larger lists are read in pages with `continue`. @defaultValue 500 */
    pageSize: z.number().int().min(1).max(5000).default(500),
  })
  .strict();

/** The validated `cluster:` section, defaults applied. */
export type ClusterSettings = z.infer<typeof clusterConfigSchema>;
