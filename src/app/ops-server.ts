/**
 * `/healthz` and `/metrics` on their own port (`METRICS_PORT`), never next to `/slack/events`.
 * The Slack endpoint must be reachable from the internet; the metrics (request counts per user
 * outcome, queue depth, process internals) and the health probe are for the cluster only, so they
 * live on a port that no ingress or load balancer needs to expose.
 */
import { createServer, type Server } from 'node:http';
import type { Metrics } from '../metrics.js';
import { withDeadline } from '../slack/deadline.js';

/** Starts the ops server on `port` (0: any free port). `checkRedis` is true when Redis answers. */
export async function startOpsServer(port: number, metrics: Metrics, checkRedis: () => Promise<boolean>): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || (path !== '/healthz' && path !== '/metrics')) {
      res.writeHead(404).end();
      return;
    }
    if (path === '/healthz') {
      void withDeadline(checkRedis(), 1000)
        .catch(() => false)
        .then((up) => {
          res.writeHead(up ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: up ? 'ok' : 'degraded', redis: up ? 'up' : 'down' }));
        });
      return;
    }
    metrics.registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(body);
      },
      (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err.message);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return server;
}
