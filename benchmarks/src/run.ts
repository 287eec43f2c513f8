import { benchEnvironment, describeEnvironment } from './index.js';

process.stdout.write(`${describeEnvironment(benchEnvironment())}\n`);
process.stdout.write('No benchmark suites are registered yet.\n');
