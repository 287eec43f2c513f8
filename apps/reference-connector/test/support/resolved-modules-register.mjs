// Preloaded with --import by startup-loading.test.ts: registers resolved-modules-hooks.mjs.
import { register } from 'node:module';

register('./resolved-modules-hooks.mjs', import.meta.url);
