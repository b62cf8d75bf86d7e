/**
 * The two name checks the command line needs before any config is read: host names and label
 * selectors. Kept apart from the schemas so parsing flags loads no validation library.
 */
import { isIP } from 'node:net';

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, 253 chars at most. */
export const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** True for an RFC 1123 host name or an IPv4/IPv6 address: nothing a shell could take for syntax. */
export function isHostOrAddress(s: string): boolean {
  return isIP(s) !== 0 || HOSTNAME.test(s);
}

/** `key=value[,key=value…]` with Kubernetes label syntax (optional DNS prefix, 63-char names). */
const LABEL_SELECTOR = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?(!?=|==)([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/;

/** True for a label selector of equality terms, as `kubectl get nodes -l` takes it. */
export function isLabelSelector(s: string): boolean {
  return s.length > 0 && s.length <= 1024 && s.split(',').every((term) => LABEL_SELECTOR.test(term));
}
