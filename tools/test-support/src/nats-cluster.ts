/**
 * Starts a private NATS cluster for tests: `size` nodes of the Debian
 * `nats-server` on loopback, every node routed to every other one, JetStream
 * enabled on each (a clustered JetStream needs a server name per node and a
 * cluster name), storage in a private temporary directory, monitoring on a
 * port of its own so readiness is the server's own `/healthz` answer.
 *
 * Route ports must be known before the nodes start (each node lists the
 * others), so the ports are picked by binding port 0 and releasing it. Another
 * process may take one in between: the start is then retried with new ports.
 *
 * When the binary is missing the start fails loudly (tests never skip).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertNatsServerInstalled, launchNatsServer } from './nats-server.js';

/** One node of a {@link NatsCluster}. */
export interface NatsClusterNode {
  /** Server name, `n1`, `n2`, ... */
  readonly name: string;
  /** `nats://127.0.0.1:<client port>` */
  readonly url: string;
  /** True while the node's process runs. */
  readonly running: boolean;
  /** Kills the node (SIGKILL: no lame-duck, no goodbye to the routes). Idempotent. */
  kill(): Promise<void>;
  /** Starts the node again on the same ports and storage, and waits until it reports healthy. */
  restart(): Promise<void>;
}

/** A running private NATS cluster. */
export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated, as `--transport` takes them. */
  readonly urls: string;
  /** Resolves once every running node answers `/healthz` with `ok` (JetStream meta group current). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the storage. */
  dispose(): Promise<void>;
}

/** Options for {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /** Number of nodes (default 3: the smallest JetStream cluster that survives losing one). */
  size?: number;
}

interface NodePorts {
  client: number;
  route: number;
  monitor: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function launch(args: string[]): Promise<ChildProcess> {
  return (await launchNatsServer(args)).child;
}

function kill(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function healthy(monitorPort: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${monitorPort}/healthz`, {
      signal: AbortSignal.timeout(1000),
    });
    const body = (await response.json()) as { status?: string };
    return response.ok && body.status === 'ok';
  } catch {
    return false;
  }
}

async function startOnce(size: number, storeDir: string): Promise<NatsCluster> {
  const ports: NodePorts[] = [];
  for (let i = 0; i < size; i++) {
    ports.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
  }
  const argsFor = (i: number): string[] => {
    const own = ports[i] as NodePorts;
    const routes = ports.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p.route}`);
    return [
      '-a',
      '127.0.0.1',
      '-p',
      String(own.client),
      '-m',
      String(own.monitor),
      '--server_name',
      `n${i + 1}`,
      '--cluster_name',
      'marketpipe-test',
      '--cluster',
      `nats://127.0.0.1:${own.route}`,
      '--routes',
      routes.join(','),
      '-js',
      '-sd',
      join(storeDir, `n${i + 1}`),
    ];
  };
  const children: Array<ChildProcess | undefined> = [];
  try {
    for (let i = 0; i < size; i++) children.push(await launch(argsFor(i)));
  } catch (err) {
    await Promise.all(children.map(kill));
    throw err;
  }

  const waitHealthy = async (timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = ports.filter((_, i) => children[i] !== undefined);
      const answers = await Promise.all(running.map((p) => healthy(p.monitor)));
      if (answers.every(Boolean)) return;
      if (Date.now() > deadline) throw new Error(`the NATS cluster was not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  // A test that timed out goes on running after its afterAll: a restart then would leak a node past the run.
  let disposed = false;
  const nodes: NatsClusterNode[] = ports.map((p, i) => ({
    name: `n${i + 1}`,
    url: `nats://127.0.0.1:${p.client}`,
    get running() {
      return children[i] !== undefined;
    },
    kill: async () => {
      await kill(children[i]);
      children[i] = undefined;
    },
    restart: async () => {
      if (disposed)
        throw new Error(`node n${i + 1} restarted after dispose(): the test outlived its suite (a timeout?)`);
      await kill(children[i]);
      children[i] = await launch(argsFor(i));
      await waitHealthy();
    },
  }));
  return {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    waitHealthy,
    dispose: async () => {
      disposed = true;
      await Promise.all(children.map(kill));
      children.fill(undefined);
    },
  };
}

/**
 * Starts a private NATS cluster with JetStream on every node and resolves once every node is healthy.
 *
 * @example
 * ```ts
 * const cluster = await startNatsCluster();
 * try { ...connect to cluster.nodes[0].url... } finally { await cluster.dispose(); }
 * ```
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  assertNatsServerInstalled();
  const size = options.size ?? 3;
  const storeDir = mkdtempSync(join(tmpdir(), 'marketpipe-nats-cluster-'));
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    let cluster: NatsCluster | undefined;
    try {
      cluster = await startOnce(size, join(storeDir, `attempt-${attempt}`));
      await cluster.waitHealthy();
      const started = cluster;
      return {
        ...started,
        dispose: async () => {
          await started.dispose();
          rmSync(storeDir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      // Most likely a port picked above was taken by another process before nats-server bound it: pick again.
      lastError = err;
      await cluster?.dispose();
    }
  }
  rmSync(storeDir, { recursive: true, force: true });
  throw lastError;
}
