/**
 * RBAC for the API server double, decided the way the real authorizer decides it: each request is
 * turned into request attributes (verb, resource[/subresource], namespace) by the apiserver's
 * RequestInfo rules (https://kubernetes.io/docs/reference/access-authn-authz/authorization/#determine-the-request-verb),
 * and allowed when a rule bound to the caller names that verb and resource. Rules come from the
 * manifests themselves (Role/ClusterRole + their bindings to one subject), so a test runs the
 * transport under exactly what deploy/ grants.
 */

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  /** Limits the rule to these object names (get, not list, as in the cluster). */
  resourceNames?: string[];
}

/** Rules bound to the caller: cluster-wide (`namespace: null`) or in one namespace. */
export interface RbacGrant {
  namespace: string | null;
  rules: PolicyRule[];
}

export interface RequestAttributes {
  verb: string;
  /** API group: `''` for the core group (`/api/v1`), e.g. `discovery.k8s.io` for `/apis/discovery.k8s.io/v1`. */
  group: string;
  /** `pods`, or `pods/exec` for a subresource. */
  resource: string;
  namespace: string | null;
  name: string | null;
}

/** Discovery paths every authenticated caller may read (the system:discovery role). */
const DISCOVERY = new Set(['/version', '/api', '/apis', '/api/v1']);

/** The request's attributes, or null for a non-resource path everyone may read. */
export function requestAttributes(method: string, path: string, query: URLSearchParams): RequestAttributes | null {
  if (DISCOVERY.has(path)) return null;
  const grouped = /^\/apis\/([^/]+)\/[^/]+\/?(.*)$/.exec(path);
  // Group discovery (`/apis/discovery.k8s.io`, `/apis/discovery.k8s.io/v1`) is readable by everyone too.
  if (path.startsWith('/apis/') && (!grouped || grouped[2] === '')) return null;
  const group = grouped ? grouped[1]! : '';
  const parts = (grouped ? grouped[2]! : path.replace(/^\/api\/v1\/?/, '')).split('/').filter(Boolean).map(decodeURIComponent);
  let namespace: string | null = null;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1]!;
    parts.splice(0, 2);
  }
  const [resource = '', name = null, subresource] = parts;
  const collection = name === null;
  const verbs: Record<string, string> = { GET: collection ? (query.get('watch') === 'true' ? 'watch' : 'list') : 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: collection ? 'deletecollection' : 'delete' };
  return { verb: verbs[method] ?? method.toLowerCase(), group, resource: subresource ? `${resource}/${subresource}` : resource, namespace, name };
}

/** True when a rule allows the request: its group, resource and verb, and its object name when the rule lists names. */
export function ruleAllows(r: PolicyRule, a: RequestAttributes): boolean {
  return (
    (r.apiGroups.includes(a.group) || r.apiGroups.includes('*')) &&
    (r.resources.includes(a.resource) || r.resources.includes('*')) &&
    (r.verbs.includes(a.verb) || r.verbs.includes('*')) &&
    (!r.resourceNames || (a.name !== null && r.resourceNames.includes(a.name)))
  );
}

/** True when a grant allows the request. */
export function isAllowed(grants: RbacGrant[], a: RequestAttributes): boolean {
  return grants.some((g) => (g.namespace === null || g.namespace === a.namespace) && g.rules.some((r) => ruleAllows(r, a)));
}

/** The apiserver's wording of a refusal. */
export function forbiddenMessage(user: string, a: RequestAttributes): string {
  const [resource, sub] = a.resource.split('/');
  const what = `${sub ? `resource "${resource}/${sub}"` : `resource "${resource}"`} in API group "${a.group}"`;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return `${a.name ? `${resource} "${a.name}"` : resource} is forbidden: User "${user}" cannot ${a.verb} ${what}${where}`;
}

type Manifest = { kind?: string; metadata?: { name?: string; namespace?: string }; rules?: PolicyRule[]; roleRef?: { kind: string; name: string }; subjects?: Array<{ kind: string; name: string; namespace?: string }> };

/** The grants the manifests bind to a ServiceAccount: each (Cluster)RoleBinding naming it, resolved to its role's rules. */
export function grantsFor(manifests: Manifest[], sa: { name: string; namespace: string }): RbacGrant[] {
  const grants: RbacGrant[] = [];
  for (const b of manifests.filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding')) {
    if (!b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace)) continue;
    const bindingNs = b.kind === 'RoleBinding' ? (b.metadata?.namespace ?? null) : null;
    const role = manifests.find((m) => m.kind === b.roleRef?.kind && m.metadata?.name === b.roleRef?.name && (m.kind === 'ClusterRole' || m.metadata?.namespace === bindingNs));
    // A binding to a role that does not exist grants nothing, as in the cluster.
    if (role?.rules) grants.push({ namespace: bindingNs, rules: role.rules });
  }
  return grants;
}
