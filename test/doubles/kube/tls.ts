/**
 * A throwaway certificate for the double. It must be HTTPS: client-go (kubectl) sends a bearer
 * token only over TLS, so an http:// double would test an unauthenticated path no cluster has.
 * Made with the `openssl` CLI (Node cannot issue X.509 certificates), self-signed for 127.0.0.1,
 * and used as its own CA in the kubeconfig, so clients really verify the server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DoubleTls {
  key: string;
  cert: string;
}

let cached: DoubleTls | null = null;

/** One key pair per test process: generating is the slow part and the cert carries no state. */
export function doubleTls(): DoubleTls {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-kube-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=kube-apiserver-double', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'pipe' });
    cached = { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
