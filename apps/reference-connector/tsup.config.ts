import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// cli.js imports ./index.js at run time, after its Node version check, instead of bundling it (and with it every
// dependency's import) ahead of the check.
export default defineConfig(
  packageBuild({ index: 'src/index.ts', cli: 'src/cli.ts' }, { external: ['./index.js'] }),
);
