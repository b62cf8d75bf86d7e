/** The grants deploy/rbac/cluster-context.yaml binds to tcpcheck's ServiceAccount, for the API double's RBAC. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { grantsFor, type RbacGrant } from '../doubles/kube/rbac.js';

export function clusterContextGrants(): RbacGrant[] {
  const manifests = parseAllDocuments(readFileSync(new URL('../../deploy/rbac/cluster-context.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as Parameters<typeof grantsFor>[0][number]);
  return grantsFor(manifests, { name: 'tcpcheck', namespace: 'tcpcheck' });
}

/** The same grants less one resource, as a cluster whose RBAC lacks that rule. */
export function clusterContextGrantsWithout(resource: string): RbacGrant[] {
  return clusterContextGrants().map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, resources: r.resources.filter((x) => x !== resource) })) }));
}
