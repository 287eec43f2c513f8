/**
 * The optional Prometheus endpoint of `run --metrics-port`: `GET /metrics`
 * renders a fresh status snapshot; everything else is 404. Binds to
 * 127.0.0.1 unless told otherwise, because metrics reveal what a host trades.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PipelineStatus } from '@marketpipe/connector';
import type { LatencyRecorder } from '@marketpipe/middleware/latency';
import { PipelineMetrics } from './pipeline-metrics.js';

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** `http://host:port/metrics`, with the port actually bound (useful with port 0). */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts the endpoint; `status` is called once per scrape.
 *
 * @example
 * ```ts
 * const server = await startMetricsServer({ host: '127.0.0.1', port: 9464, status: () => pipeline.status() });
 * console.log(`scrape ${server.url}`);
 * await server.close();
 * ```
 */
export async function startMetricsServer(options: {
  host: string;
  port: number;
  /** The pipeline's status, or `undefined` before it runs (a scrape then gets 503). */
  status: () => PipelineStatus | undefined;
  /** The recorder the pipeline records the hot path into, for the latency histogram. */
  latency?: LatencyRecorder;
}): Promise<MetricsServer> {
  const metrics = new PipelineMetrics(options.latency);
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const status = options.status();
    if (status === undefined) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('starting\n');
      return;
    }
    metrics.update(status);
    metrics.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
