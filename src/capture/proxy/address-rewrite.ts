// Rewrites the broker addresses in the responses that carry them, so that clients only ever dial the proxy.
//
// Metadata (Brokers), FindCoordinator (v0-3 NodeId/Host/Port, v4+ Coordinators) and DescribeCluster (Brokers):
// each address is replaced by the proxy's listener for that node; every other byte is copied as it is.
// Layouts: Kafka's MetadataResponse.json, FindCoordinatorResponse.json, DescribeClusterResponse.json (4.1).
// Produce v10+ carries them in its top-level NodeEndpoints tagged field (KIP-951): that field is rewritten and its
// size updated. Fetch v16+ and the share fetches carry them too, but a Fetch response is megabytes that would
// have to be held whole before its size could change: the proxy caps Fetch below v16 in ApiVersions instead.
import { WireError, WireReader, WireWriter } from './kafka-wire.js';

/** A host and port as the protocol carries them. */
export interface NodeAddress {
  readonly host: string;
  readonly port: number;
}

/** Where the proxy serves each node. */
export interface NodeAddressBook {
  /**
   * Learns that the cluster names node `nodeId` at `upstream`, and returns the address a client must dial
   * instead (the proxy's listener for that node).
   */
  proxyAddressOf(nodeId: number, upstream: NodeAddress): NodeAddress;
}

/** The highest version of each API whose addresses this module rewrites. */
export const REWRITTEN_API_MAX_VERSION: ReadonlyMap<number, number> = new Map([
  [0, 13], // Produce
  [3, 13], // Metadata
  [10, 6], // FindCoordinator
  [60, 2], // DescribeCluster
]);

/** The first version of each API whose responses carry addresses. */
const FIRST_VERSION_WITH_ADDRESSES: ReadonlyMap<number, number> = new Map([
  [0, 10], // Produce: KIP-951 NodeEndpoints
  [3, 0],
  [10, 0],
  [60, 0],
]);

const PRODUCE = 0;
const METADATA = 3;
const FIND_COORDINATOR = 10;
const DESCRIBE_CLUSTER = 60;

/**
 * Whether responses of this API version carry broker addresses this module does not rewrite: Fetch v16+ and
 * the share fetches (KIP-951/932 NodeEndpoints). ApiVersions keeps them from being negotiated; a client that
 * sends one anyway must not get the answer through the proxy.
 */
export function leaksAddresses(apiKey: number, version: number): boolean {
  return (apiKey === 1 && version >= 16) || apiKey === 78 || apiKey === 79;
}

/** Whether responses of this API version carry broker addresses (and so must be rewritten). */
export function carriesAddresses(apiKey: number, version: number): boolean {
  const first = FIRST_VERSION_WITH_ADDRESSES.get(apiKey);
  return first !== undefined && version >= first;
}

/** Reads node id, host and port, and writes them back with the proxy's address. */
function rewriteNode(r: WireReader, w: WireWriter, compact: boolean, book: NodeAddressBook): void {
  const nodeId = r.int32();
  const host = r.string(compact) ?? '';
  const port = r.int32();
  // A coordinator lookup that failed carries node -1 and no address: nothing to rewrite.
  const local = nodeId < 0 ? { host, port } : book.proxyAddressOf(nodeId, { host, port });
  w.int32(nodeId);
  w.string(local.host, compact);
  w.int32(local.port);
}

/** Copies an array of nodes, each rewritten by `node`, from `r` to `w`. */
function rewriteArray(r: WireReader, w: WireWriter, compact: boolean, node: () => void): void {
  const count = r.arrayLength(compact);
  w.arrayLength(count, compact);
  for (let i = 0; i < count; i++) node();
}

/**
 * Rewrites the broker addresses of one response frame.
 * @param frame the whole frame, size prefix included.
 * @returns the new frame, size prefix included; `frame` itself when nothing needed rewriting (Produce).
 * @throws WireError when the bytes do not fit the layout of `apiKey` at `version`; Error for a version this
 *   module cannot rewrite (the caller must not let the response through unrewritten).
 */
export function rewriteAddresses(
  frame: Buffer,
  apiKey: number,
  version: number,
  book: NodeAddressBook,
): Buffer {
  const max = REWRITTEN_API_MAX_VERSION.get(apiKey);
  if (max === undefined || !carriesAddresses(apiKey, version) || version > max) {
    throw new Error(`cannot rewrite addresses of API ${apiKey} v${version}`);
  }
  const r = new WireReader(frame, 4, frame.length);
  r.skip(4); // correlation id
  const flexible = apiKey === DESCRIBE_CLUSTER || (apiKey === METADATA ? version >= 9 : version >= 3);
  if (flexible) r.skipTaggedFields(); // response header v1
  // Each body walk copies the bytes before its first address as they are, then rewrites node by node.
  // Most Produce responses carry no NodeEndpoints (only a leader change adds them): those go on as they are.
  if (
    apiKey === PRODUCE &&
    frame.readInt32BE(0) === frame.length - 4 &&
    !carriesNodeEndpoints(new WireReader(frame, r.pos, frame.length), version)
  ) {
    return frame;
  }
  const w = new WireWriter();
  if (apiKey === PRODUCE) rewriteProduceBody(frame, r, w, version, book);
  else if (apiKey === METADATA) rewriteMetadataBody(frame, r, w, version, book);
  else if (apiKey === FIND_COORDINATOR) rewriteFindCoordinatorBody(frame, r, w, version, book);
  else rewriteDescribeClusterBody(frame, r, w, version, book);
  w.raw(frame, r.pos, frame.length);
  return w.toFrame();
}

function rewriteMetadataBody(
  frame: Buffer,
  r: WireReader,
  w: WireWriter,
  version: number,
  book: NodeAddressBook,
): void {
  const flexible = version >= 9;
  if (version >= 3) r.skip(4); // ThrottleTimeMs
  w.raw(frame, 4, r.pos);
  rewriteArray(r, w, flexible, () => {
    rewriteNode(r, w, flexible, book);
    const tail = r.pos;
    if (version >= 1) r.string(flexible); // Rack
    if (flexible) r.skipTaggedFields();
    w.raw(r.buf, tail, r.pos);
  });
}

function rewriteFindCoordinatorBody(
  frame: Buffer,
  r: WireReader,
  w: WireWriter,
  version: number,
  book: NodeAddressBook,
): void {
  const flexible = version >= 3;
  if (version >= 1) r.skip(4); // ThrottleTimeMs
  if (version <= 3) {
    r.skip(2); // ErrorCode
    if (version >= 1) r.string(flexible); // ErrorMessage
    w.raw(frame, 4, r.pos);
    rewriteNode(r, w, flexible, book);
    return;
  }
  w.raw(frame, 4, r.pos);
  rewriteArray(r, w, true, () => {
    const key = r.pos;
    r.string(true); // Key
    w.raw(frame, key, r.pos);
    rewriteNode(r, w, true, book);
    const tail = r.pos;
    r.skip(2); // ErrorCode
    r.string(true); // ErrorMessage
    r.skipTaggedFields();
    w.raw(frame, tail, r.pos);
  });
}

function rewriteDescribeClusterBody(
  frame: Buffer,
  r: WireReader,
  w: WireWriter,
  version: number,
  book: NodeAddressBook,
): void {
  r.skip(6); // ThrottleTimeMs, ErrorCode
  r.string(true); // ErrorMessage
  if (version >= 1) r.skip(1); // EndpointType
  r.string(true); // ClusterId
  r.skip(4); // ControllerId
  w.raw(frame, 4, r.pos);
  rewriteArray(r, w, true, () => {
    rewriteNode(r, w, true, book);
    const tail = r.pos;
    r.string(true); // Rack
    if (version >= 2) r.skip(1); // IsFenced
    r.skipTaggedFields();
    w.raw(frame, tail, r.pos);
  });
}

/** Produce v10+: walks to the top-level tagged fields and rewrites NodeEndpoints (tag 0), other tags as they are. */
function rewriteProduceBody(
  frame: Buffer,
  r: WireReader,
  w: WireWriter,
  version: number,
  book: NodeAddressBook,
): void {
  skipToProduceTags(r, version);
  w.raw(frame, 4, r.pos);
  rewriteNodeEndpointsTags(r, w, book);
}

/** Whether a Produce v10+ body (from `r`) has the NodeEndpoints tagged field. */
function carriesNodeEndpoints(r: WireReader, version: number): boolean {
  skipToProduceTags(r, version);
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    if (tag === 0) return true;
    r.skip(r.uvarint());
  }
  return false;
}

/** Moves `r` over a Produce v10+ body up to its top-level tagged fields. */
function skipToProduceTags(r: WireReader, version: number): void {
  const topics = r.arrayLength(true);
  for (let t = 0; t < topics; t++) {
    if (version <= 12)
      r.string(true); // Name
    else r.skip(16); // TopicId
    const partitions = r.arrayLength(true);
    for (let p = 0; p < partitions; p++) {
      r.skip(4 + 2 + 8 + 8 + 8); // Index, ErrorCode, BaseOffset, LogAppendTimeMs, LogStartOffset
      const recordErrors = r.arrayLength(true);
      for (let e = 0; e < recordErrors; e++) {
        r.skip(4); // BatchIndex
        r.string(true); // BatchIndexErrorMessage
        r.skipTaggedFields();
      }
      r.string(true); // ErrorMessage
      r.skipTaggedFields(); // CurrentLeader: node ids only, kept as they are
    }
    r.skipTaggedFields();
  }
  r.skip(4); // ThrottleTimeMs
}

/** A top-level tagged-field section whose tag 0 is KIP-951 NodeEndpoints: rewritten, with its size updated. */
function rewriteNodeEndpointsTags(r: WireReader, w: WireWriter, book: NodeAddressBook): void {
  const count = r.uvarint();
  w.uvarint(count);
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const start = r.pos;
    r.skip(size);
    w.uvarint(tag);
    if (tag !== 0) {
      w.uvarint(size);
      w.raw(r.buf, start, r.pos);
      continue;
    }
    const inner = new WireReader(r.buf, start, r.pos);
    const endpoints = new WireWriter();
    rewriteArray(inner, endpoints, true, () => {
      rewriteNode(inner, endpoints, true, book);
      const tail = inner.pos;
      inner.string(true); // Rack
      inner.skipTaggedFields();
      endpoints.raw(r.buf, tail, inner.pos);
    });
    if (inner.pos !== r.pos) throw new WireError('NodeEndpoints longer than its tagged-field size');
    w.uvarint(endpoints.length);
    w.raw(endpoints.toBuffer());
  }
}
