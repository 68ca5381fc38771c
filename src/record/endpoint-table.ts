// Finds the series slot of a broker endpoint: by object identity on the hot path, by capped labels on first sight.
import type { BrokerEndpoint } from '../events.js';
import { CAPPED_LABELS, OVERFLOW_PORT, OVERFLOW_VALUE } from '../metrics/cardinality.js';
import type { CappedLabel, ValueCap } from '../metrics/cardinality.js';
import { labelValue } from './label-value.js';
import { EndpointSlot } from './series.js';

/** The bit of a capped label in `EndpointSlot.foldedMask`: its index in `CAPPED_LABELS`. */
export function foldedBit(label: CappedLabel): number {
  return 1 << CAPPED_LABELS.indexOf(label);
}

/** The endpoint slots of one recorder. */
export interface EndpointTable {
  /** The slot of `endpoint`. O(1), no allocation once the endpoint object was seen. Throws on a non-object. */
  slotOf(endpoint: BrokerEndpoint): EndpointSlot;
  /** Every slot once (endpoints with the same labels share one). */
  slots(): Iterable<EndpointSlot>;
}

/**
 * Endpoint objects are built once per connection: a WeakMap finds their slot, and a one-entry cache skips even
 * that for runs of responses on one connection. Slots are shared by label identity, so a reconnect (a new
 * endpoint object) continues the same series; client ids and broker addresses pass their caps first.
 */
export function createEndpointTable(caps: { clientId: ValueCap; broker: ValueCap }): EndpointTable {
  const byEndpoint = new WeakMap<BrokerEndpoint, EndpointSlot>();
  const byLabels = new Map<string, EndpointSlot>();
  let lastEndpoint: BrokerEndpoint | undefined;
  let lastSlot: EndpointSlot | undefined;

  function newSlot(endpoint: BrokerEndpoint): EndpointSlot {
    const clientId = caps.clientId.admit(labelValue(String(endpoint.clientId)));
    const host = labelValue(String(endpoint.host));
    const folded = caps.broker.admit(`${host}:${String(endpoint.port)}`) === OVERFLOW_VALUE;
    const address = folded ? OVERFLOW_VALUE : host;
    const port = String(folded ? OVERFLOW_PORT : endpoint.port);
    const mask =
      (clientId === OVERFLOW_VALUE ? foldedBit('messaging_client_id') : 0) |
      (folded ? foldedBit('server_address') : 0);
    const key = `${clientId}\0${address}\0${port}`;
    let slot = byLabels.get(key);
    if (slot === undefined) {
      slot = new EndpointSlot(clientId, address, port, mask);
      byLabels.set(key, slot);
    }
    return slot;
  }

  return {
    slotOf(endpoint) {
      if (endpoint === lastEndpoint) return lastSlot!;
      let slot = byEndpoint.get(endpoint);
      if (slot === undefined) {
        slot = newSlot(endpoint);
        byEndpoint.set(endpoint, slot);
      }
      lastEndpoint = endpoint;
      lastSlot = slot;
      return slot;
    },
    slots() {
      return byLabels.values();
    },
  };
}
