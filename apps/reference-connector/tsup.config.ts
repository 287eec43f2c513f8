import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// Splitting keeps each lazily imported command in its own chunk: without it esbuild hoists every command's
// dependencies (connector, pino, prom-client) to the top of cli.js, and `--help` would load them all. It also keeps
// main.js out of cli.js, so the Node version check runs before anything else is loaded.
export default defineConfig(packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { splitting: true }));
