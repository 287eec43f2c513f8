/**
 * The {@link Delivery} a transport refills and hands to every handler call (see `MessageHandler` on why the
 * numbers travel in an object). Internal: handlers see it through the read-only interface.
 */
import { DOUBLE_FIELD } from '../double-field.js';
import type { Delivery } from './transport.js';

/** A transport's reused delivery; both fields hold doubles from the start (timestamps are far beyond 2^31). */
export class MutableDelivery implements Delivery {
  sequence = DOUBLE_FIELD;
  timestampNanos = DOUBLE_FIELD;

  constructor() {
    this.sequence = this.timestampNanos = 0;
  }
}
