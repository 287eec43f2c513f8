/**
 * A random (version 4) UUID, from `node:crypto` loaded at the first call rather than at import: only the JetStream
 * transport and journal need one, once per connection, and importing `node:crypto` cost every process that loads
 * the transports ~7 ms of its start on Node 20 (docs/design/startup.md).
 *
 * @internal
 */
export function randomUUID(): string {
  return process.getBuiltinModule('node:crypto').randomUUID();
}
