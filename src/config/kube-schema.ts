/**
 * The `kube:` section of the config file: how tcpcheck reaches a node through the Kubernetes API.
 * Composed into the full config schema by src/config/index.ts.
 *
 * ```yaml
 * kube:
 *   mode: daemonset            # or debug-pod
 *   namespace: tcpcheck
 *   kubeconfig: ~/.kube/config # omit inside a cluster: the service account is used
 * ```
 */
import { z } from 'zod';
import { DNS1123_LABEL } from '../domain/kube-names.js';

/** A DNS-1123 label: what Kubernetes accepts as a namespace or container name. */
const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(DNS1123_LABEL, 'must be a DNS-1123 label (lower-case letters, digits and "-")');

/**
 * A label selector in the equality form the API accepts (`k=v,k2!=v2,k3`). Kept strict so a typo
 * is a config error at start rather than an empty pod list at 3 a.m.
 */
const labelSelector = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9./_-]+((==?|!=)[A-Za-z0-9._-]*)?(,[A-Za-z0-9./_-]+((==?|!=)[A-Za-z0-9._-]*)?)*$/, 'must be a label selector such as app.kubernetes.io/name=tcpcheck-agent');

export const kubeConfigSchema = z
  .object({
    /**
     * `daemonset`: exec into the agent pod of deploy/daemonset.yaml on that node (fast, needs the
     * DaemonSet installed). `debug-pod`: create a privileged pod on the node like
     * `kubectl debug node/NAME`, exec into it and delete it (nothing installed, slower, needs pod
     * create/delete rights). @defaultValue 'daemonset'
     */
    mode: z.enum(['daemonset', 'debug-pod']).default('daemonset'),
    /** Namespace of the agent pods and of the debug pods. @defaultValue 'tcpcheck' */
    namespace: dnsLabel.default('tcpcheck'),
    /** Selects the agent pods of the DaemonSet. @defaultValue 'app.kubernetes.io/name=tcpcheck-agent' */
    labelSelector: labelSelector.default('app.kubernetes.io/name=tcpcheck-agent'),
    /** Container to exec into (agent pods and debug pods). @defaultValue 'agent' */
    container: dnsLabel.default('agent'),
    /**
     * Image of the debug pod. It needs only `sh` and `chroot`: the plan runs chrooted into the
     * node's root, so it uses the node's own `ss` and /proc, as an operator on the node would.
     * `busybox` has both and is about 2 MB. @defaultValue 'busybox:1.36'
     */
    debugImage: z.string().min(1).max(512).regex(/^[^\s]+$/, 'must be an image reference without spaces').default('busybox:1.36'),
    /** How long a debug pod may take to become Running (image pull included). @defaultValue 60000 */
    podReadyTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000),
    /** Path of a kubeconfig file. Unset: in-cluster service account if present, else $KUBECONFIG or ~/.kube/config. */
    kubeconfig: z.string().min(1).optional(),
    /** Context of the kubeconfig to use. @defaultValue the current context */
    context: z.string().min(1).optional(),
  })
  .strict();

/** The validated `kube:` section, defaults applied. */
export type KubeSettings = z.infer<typeof kubeConfigSchema>;
/** What a config file may write (defaults not yet applied). */
export type KubeSettingsInput = z.input<typeof kubeConfigSchema>;
