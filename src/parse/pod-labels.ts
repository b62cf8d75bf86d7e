/**
 * Parser for the plan's `pod-labels` section: pod UID, name and namespace as the kubelet wrote
 * them into each container's runtime config, one container a line (containerd, then CRI-O):
 *
 *     "io.kubernetes.cri.sandbox-name":"neo-web-7d9f8c6b5-x2k4q" "io.kubernetes.cri.sandbox-namespace":"shop" "io.kubernetes.cri.sandbox-uid":"0b7c3f4e-1d2a-4c5b-9e8f-7a6b5c4d3e2f"
 *     "io.kubernetes.pod.name":"coredns-5d78c9869d-8xq2v" "io.kubernetes.pod.namespace":"kube-system" "io.kubernetes.pod.uid":"6f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
 *
 * The names are the node's word, so they are believed only in Kubernetes' own shapes (a DNS-1123
 * name, a UID); anything else is a skipped line.
 */
import { DNS1123_SUBDOMAIN, isDns1123Label } from '../domain/kube-names.js';
import type { ParseIssue } from '../domain/snapshot.js';
import { createIssue, skipLine } from './parse-issue.js';

const PAIR = /"io\.kubernetes\.(?:cri\.sandbox-|pod\.)(uid|name|namespace)" *: *"([^"]*)"/g;
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Pods by UID: `namespace/name` as the runtime knows them. */
export function parsePodLabels(text: string, source = 'pod-labels'): { pods: Record<string, { namespace: string; name: string }>; issue: ParseIssue } {
  const issue = createIssue(source);
  const pods: Record<string, { namespace: string; name: string }> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const got: Record<string, string> = {};
    for (const m of line.matchAll(PAIR)) got[m[1]!] = m[2]!;
    const { uid, name, namespace } = got;
    if (!uid || !name || !namespace || !UID.test(uid) || !DNS1123_SUBDOMAIN.test(name) || !isDns1123Label(namespace)) {
      skipLine(issue, line);
      continue;
    }
    pods[uid] = { namespace, name };
  }
  return { pods, issue };
}
