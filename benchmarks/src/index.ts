import os from 'node:os';

/** Facts about the machine a benchmark ran on, printed with every result. */
export interface BenchEnvironment {
  node: string;
  cpuModel: string;
  cores: number;
  platform: string;
  arch: string;
}

/** Reads the Node version, CPU model and core count of this machine. */
export function benchEnvironment(): BenchEnvironment {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    platform: process.platform,
    arch: process.arch,
  };
}

/** One line describing {@link BenchEnvironment}, as printed at the top of every run. */
export function describeEnvironment(env: BenchEnvironment): string {
  return `Node ${env.node} on ${env.cpuModel} (${env.cores} cores, ${env.platform}/${env.arch})`;
}
