/**
 * `marketpipe subscribe`: watch a running connector by printing the trades and
 * book updates it publishes, decoded from Cap'n Proto, one line each (or JSON
 * lines), or with `--book` the top of each maintained book; or, with
 * `--stream`, read them back from a JetStream stream from a sequence or a time,
 * optionally as a durable consumer that resumes where it stopped.
 */
import { TradeView } from '@marketpipe/connector';
import { BookView, OrderBook } from '@marketpipe/connector/books';
import type { NatsConnectionOptions, Subscription, Transport } from '@marketpipe/middleware';
import { JetStreamReader, type ReaderStart } from '@marketpipe/middleware/journal';
import { findSubjectProblem, subjectMatches } from '@marketpipe/middleware/transport';
import type { CliContext } from '../cli-context.js';
import { InvalidOptionError } from '../cli-errors.js';
import { ExitCode } from '../exit-codes.js';
import type { LogLevel } from '../options/run-config.js';
import { describeTransport, type TransportConfig, transportSecrets } from '../options/transport-config.js';
import { createCliLogger, errorFields } from '../run/cli-logger.js';
import { chooseLogFormat, type LogFormat } from '../run/pretty-log.js';
import { closeUnused, type StopRequest, StopTrigger } from '../run/stop-trigger.js';
import {
  bookUpdateJson,
  formatBookLine,
  formatTopOfBook,
  isBookSubject,
  topOfBookJson,
} from './book-line.js';
import { formatTradeLine, tradeJson } from './trade-line.js';

/** Options of {@link subscribeCommand}. */
export interface SubscribeOptions {
  transport: TransportConfig;
  /** Subject pattern, NATS wildcards allowed (`*.*.trade.>` by default, `*.*.book.>` with `book`). */
  subject: string;
  json: boolean;
  /** Book subjects: print the top of the book maintained from the updates, instead of each update. */
  book?: boolean;
  /** Exit after this many messages (trades or book updates). */
  count: number | undefined;
  /** Exit after this long, in ms. */
  durationMs: number | undefined;
  logLevel: LogLevel;
  /** Undefined: pretty on a terminal, JSON lines otherwise. */
  logFormat: LogFormat | undefined;
  /** Read this JetStream stream instead of subscribing live. */
  stream?: string;
  /** With `stream`: where a new consumer starts (default the stream's first message). */
  from?: ReaderStart;
  /** With `stream`: a durable consumer name; a later run with the same name resumes after the last trade printed. */
  durable?: string;
}

/** Undecodable messages logged one by one before going quiet (they are all counted). */
const LOGGED_DECODE_ERRORS = 5;

/**
 * Subscribes and prints until `--count` trades, `--duration`, Ctrl-C or SIGTERM.
 * Resolves to 0, or 1 when the transport cannot be reached.
 *
 * @throws {InvalidOptionError} for an invalid subject pattern.
 * @example
 * ```ts
 * await subscribeCommand({ transport: { kind: 'nats', connection: { servers: 'nats://127.0.0.1:4222' } },
 *   subject: 'prod.binance.trade.>', json: true, count: 10, durationMs: undefined, logLevel: 'info',
 *   logFormat: undefined }, processContext());
 * ```
 */
export async function subscribeCommand(options: SubscribeOptions, context: CliContext): Promise<number> {
  const secrets = transportSecrets(options.transport);
  const logger = createCliLogger(options.logLevel, context.stderr, {
    format: chooseLogFormat(options.logFormat, context.stderr),
    color: context.stderr.isTTY === true && context.env.NO_COLOR === undefined,
  });
  const trigger = new StopTrigger(context.signals, () => context.forceExit(ExitCode.forced));
  const stdout = context.stdout;
  const view = new TradeView();
  const bookView = new BookView();
  // One maintained book per subject, for --book, from its first snapshot on.
  const books = new Map<string, OrderBook>();
  // Deltas of a subject whose snapshot has not come yet: a book built from them would show a wrong top.
  let waitingForSnapshot = 0;
  let trades = 0;
  let undecodable = 0;
  let transport: Transport | undefined;
  let subscription: Subscription | undefined;
  const onOutputError = (): void => trigger.request('output-closed');
  stdout.on('error', onOutputError);
  const printBook = (payload: Uint8Array, subject: string): void => {
    let line: string;
    try {
      bookView.wrap(payload);
      if (options.book === true) {
        let book = books.get(subject);
        if (book === undefined) {
          if (!bookView.isSnapshot) {
            // Started after the connector: its snapshots went out at start, and go out again at each resync and
            // as refreshes (every 5 s by default).
            if (waitingForSnapshot++ === 0) {
              logger.warn(
                { subject },
                'book deltas skipped until a snapshot arrives: the connector republishes each book every --book-refresh (5s by default)',
              );
            }
            return;
          }
          book = new OrderBook();
          books.set(subject, book);
        }
        book.applyView(bookView);
        line = options.json
          ? JSON.stringify(topOfBookJson(subject, bookView.ticker, book))
          : formatTopOfBook(subject, bookView.ticker, book);
      } else {
        line = options.json
          ? JSON.stringify(bookUpdateJson(subject, bookView))
          : formatBookLine(subject, bookView);
      }
    } catch (err) {
      undecodable++;
      if (undecodable <= LOGGED_DECODE_ERRORS) {
        logger.warn(
          { subject, bytes: payload.length, err: errorFields(err, secrets) },
          'not a book update message',
        );
      }
      return;
    }
    stdout.write(`${line}\n`);
    trades++;
    if (options.count !== undefined && trades >= options.count) trigger.request('count');
  };
  const print = (payload: Uint8Array, subject: string): void => {
    if (isBookSubject(subject)) {
      printBook(payload, subject);
      return;
    }
    try {
      view.wrap(payload);
    } catch (err) {
      undecodable++;
      if (undecodable <= LOGGED_DECODE_ERRORS) {
        logger.warn(
          { subject, bytes: payload.length, err: errorFields(err, secrets) },
          'not a trade message',
        );
      }
      return;
    }
    const line = options.json ? JSON.stringify(tradeJson(subject, view)) : formatTradeLine(subject, view);
    stdout.write(`${line}\n`);
    trades++;
    if (options.count !== undefined && trades >= options.count) trigger.request('count');
  };
  // Checked before connecting: a bad pattern is an invalid option (exit 2), whether or not the broker answers.
  const problem = findSubjectProblem(options.subject, true);
  if (problem !== undefined) {
    throw new InvalidOptionError(
      '--subject',
      `invalid --subject ${JSON.stringify(options.subject)}: ${problem}`,
    );
  }
  try {
    if (options.stream !== undefined) {
      if (options.transport.kind !== 'nats') {
        throw new InvalidOptionError(
          '--stream',
          '--stream reads a JetStream stream: give --transport nats://...',
        );
      }
      if (options.durationMs !== undefined) trigger.startTimer(options.durationMs);
      const reason = await readStream(options, options.transport.connection, trigger, print, logger);
      logger.info(
        { reason, trades, undecodable, ...(waitingForSnapshot > 0 ? { waitingForSnapshot } : {}) },
        'subscription ended',
      );
      return ExitCode.ok;
    }
    logger.info({ transport: describeTransport(options.transport), subject: options.subject }, 'subscribing');
    transport = await trigger.unlessStopped(context.connectTransport(options.transport), closeUnused);
    if (transport === undefined) return ExitCode.ok;
    // The pattern was checked before connecting, by the rule the transport applies.
    subscription = transport.subscribe(options.subject, (payload, subject) => {
      if (trigger.stopRequested === undefined) print(payload, subject);
    });
    if (options.durationMs !== undefined) trigger.startTimer(options.durationMs);
    if (options.transport.kind === 'memory') {
      logger.warn(
        'a memory transport receives only what this process publishes: a connector in another process needs --transport nats://...',
      );
    }
    // A memory transport holds no handle open: without one the process would exit at once, 0, with no output.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let reason: StopRequest;
    try {
      reason = await trigger.requested;
    } finally {
      clearInterval(keepAlive);
    }
    logger.info(
      { reason, trades, undecodable, ...(waitingForSnapshot > 0 ? { waitingForSnapshot } : {}) },
      'subscription ended',
    );
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof InvalidOptionError) throw err;
    logger.error({ error: errorFields(err, secrets) }, 'subscribe failed');
    return ExitCode.error;
  } finally {
    subscription?.close();
    await transport?.close();
    stdout.off('error', onOutputError);
    trigger.dispose();
  }
}

/** Prints the stream's trades that match `--subject` until a stop is requested; resolves with the stop's reason. */
async function readStream(
  options: SubscribeOptions,
  connection: NatsConnectionOptions,
  trigger: StopTrigger,
  print: (payload: Uint8Array, subject: string) => void,
  logger: ReturnType<typeof createCliLogger>,
): Promise<StopRequest> {
  const reader = await trigger.unlessStopped(
    JetStreamReader.open({
      connection,
      stream: options.stream as string,
      ...(options.durable !== undefined ? { durable: options.durable } : {}),
      ...(options.from !== undefined ? { start: options.from } : {}),
    }),
    closeUnused,
  );
  if (reader === undefined) return trigger.requested;
  logger.info(
    {
      stream: options.stream,
      consumer: reader.consumer,
      ...(reader.created ? {} : { resumeSequence: reader.resumeSequence }),
      subject: options.subject,
    },
    reader.created ? 'reading stream' : 'resuming durable consumer',
  );
  try {
    for await (const entry of reader.entries(trigger.signal)) {
      if (subjectMatches(options.subject, entry.subject)) print(entry.payload, entry.subject);
      if (trigger.stopRequested !== undefined) break;
    }
  } finally {
    await reader.close();
  }
  return trigger.requested;
}
