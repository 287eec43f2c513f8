/**
 * Lazy loading of the optional native `simdjson` package, so the connector
 * installs and runs without a C++ toolchain and pays nothing for simdjson
 * unless a parser asks for it.
 */
import { createRequire } from 'node:module';
import { SimdjsonUnavailableError } from '../errors.js';

/** The part of the `simdjson` package the parsers use. */
export interface SimdjsonModule {
  /** Parses JSON text into JavaScript values, like `JSON.parse`. */
  parse(text: string): unknown;
}

let loaded: SimdjsonModule | undefined;

/**
 * The native `simdjson` module. Throws {@link SimdjsonUnavailableError} when
 * the package is missing or its addon was not built: in that case the package
 * quietly exports `JSON` instead (no `lazyParse`), which is detected here
 * rather than benchmarked by mistake.
 */
export function loadSimdjson(): SimdjsonModule {
  if (loaded !== undefined) return loaded;
  let candidate: unknown;
  try {
    candidate = createRequire(import.meta.url)('simdjson');
  } catch (err) {
    throw new SimdjsonUnavailableError('the optional package "simdjson" is not installed', { cause: err });
  }
  const module = candidate as { parse?: unknown; lazyParse?: unknown };
  if (typeof module.parse !== 'function' || typeof module.lazyParse !== 'function') {
    throw new SimdjsonUnavailableError(
      'the "simdjson" native addon is not built (the package fell back to JSON)',
    );
  }
  loaded = candidate as SimdjsonModule;
  return loaded;
}
