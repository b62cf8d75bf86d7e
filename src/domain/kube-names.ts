/** The shapes Kubernetes' API server gives names, for names that come from a config or a node. */

/** The shape of a DNS-1123 label (a namespace or container name); it is also 63 characters at most ({@link isDns1123Label}). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True for a DNS-1123 label. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** A DNS-1123 subdomain: a pod name (labels joined by dots, 253 characters at most). */
export const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
