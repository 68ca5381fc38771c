import { describe, expect, it } from 'vitest';
import { carriesAddresses, rewriteAddresses } from '../../../src/capture/proxy/address-rewrite.js';
import type { NodeAddress, NodeAddressBook } from '../../../src/capture/proxy/address-rewrite.js';
import { WireError } from '../../../src/capture/proxy/kafka-wire.js';
import { encodeResponseFrame } from '../protocol/response-encoder.js';
import type { Value } from '../protocol/response-encoder.js';

/** Node n is served at proxy:(19100 + n); what the book learnt is kept for assertions. */
function book(): NodeAddressBook & { learnt: Map<number, NodeAddress> } {
  const learnt = new Map<number, NodeAddress>();
  return {
    learnt,
    proxyAddressOf(nodeId, upstream) {
      learnt.set(nodeId, upstream);
      return { host: 'proxy.local', port: 19100 + nodeId };
    },
  };
}

const BROKERS = [
  { NodeId: 1, Host: 'kafka-1.internal.example', Port: 9092, Rack: 'r1' },
  { NodeId: 2, Host: 'k2', Port: 9093, Rack: null },
  { NodeId: 1001, Host: 'kafka-1001.internal.example', Port: 9094, Rack: 'r3' },
];
const local = (b: (typeof BROKERS)[number]) => ({ ...b, Host: 'proxy.local', Port: 19100 + b.NodeId });

function metadata(brokers: Value[]): Value {
  return {
    ThrottleTimeMs: 7,
    Brokers: brokers,
    ClusterId: 'cluster-x',
    ControllerId: 2,
    Topics: [
      {
        ErrorCode: 0,
        Name: 'orders',
        TopicId: Buffer.alloc(16, 7),
        Partitions: [
          {
            ErrorCode: 6,
            PartitionIndex: 0,
            LeaderId: 1001,
            LeaderEpoch: 4,
            ReplicaNodes: [1, 2],
            IsrNodes: [1],
          },
        ],
      },
    ],
    ErrorCode: 0,
  };
}

describe('rewriteAddresses', () => {
  it('knows which APIs carry broker addresses', () => {
    expect([3, 10, 60].every((key) => carriesAddresses(key, 0))).toBe(true);
    expect(carriesAddresses(0, 10) && carriesAddresses(0, 13)).toBe(true);
    expect([0, 1, 18, 19].some((key) => carriesAddresses(key, 9))).toBe(false);
  });

  it.each(Array.from({ length: 14 }, (_, v) => v))(
    'rewrites every broker of Metadata v%i, other bytes unchanged',
    (version) => {
      const original = encodeResponseFrame(3, version, 42, metadata(BROKERS));
      const expected = encodeResponseFrame(3, version, 42, metadata(BROKERS.map(local)));
      const b = book();
      expect(rewriteAddresses(original, 3, version, b)).toEqual(expected);
      expect(b.learnt.get(1001)).toEqual({ host: 'kafka-1001.internal.example', port: 9094 });
      expect(b.learnt.size).toBe(3);
    },
  );

  it.each([0, 1, 2, 3])('rewrites the coordinator of FindCoordinator v%i', (version) => {
    const value = (host: string, port: number): Value => ({
      ThrottleTimeMs: 1,
      ErrorCode: 0,
      ErrorMessage: null,
      NodeId: 2,
      Host: host,
      Port: port,
    });
    const original = encodeResponseFrame(10, version, 9, value('k2', 9093));
    expect(rewriteAddresses(original, 10, version, book())).toEqual(
      encodeResponseFrame(10, version, 9, value('proxy.local', 19102)),
    );
  });

  it.each([4, 5, 6])(
    'rewrites each coordinator of FindCoordinator v%i and leaves failed lookups alone',
    (version) => {
      const value = (host: string, port: number): Value => ({
        ThrottleTimeMs: 0,
        Coordinators: [
          { Key: 'group-a', NodeId: 1, Host: host, Port: port, ErrorCode: 0, ErrorMessage: null },
          { Key: 'group-b', NodeId: -1, Host: '', Port: -1, ErrorCode: 15, ErrorMessage: 'not available' },
        ],
      });
      const original = encodeResponseFrame(10, version, 9, value('kafka-1.internal.example', 9092));
      const b = book();
      expect(rewriteAddresses(original, 10, version, b)).toEqual(
        encodeResponseFrame(10, version, 9, value('proxy.local', 19101)),
      );
      expect([...b.learnt.keys()]).toEqual([1]);
    },
  );

  it.each([0, 1, 2])('rewrites every broker of DescribeCluster v%i', (version) => {
    const value = (brokers: Value[]): Value => ({
      ThrottleTimeMs: 0,
      ErrorCode: 0,
      ErrorMessage: null,
      EndpointType: 1,
      ClusterId: 'c',
      ControllerId: 1,
      Brokers: brokers.map((b) => ({
        BrokerId: b.NodeId,
        Host: b.Host,
        Port: b.Port,
        Rack: b.Rack,
        IsFenced: false,
      })),
      ClusterAuthorizedOperations: -2147483648,
    });
    const original = encodeResponseFrame(60, version, 3, value(BROKERS));
    expect(rewriteAddresses(original, 60, version, book())).toEqual(
      encodeResponseFrame(60, version, 3, value(BROKERS.map(local))),
    );
  });

  it.each([10, 11, 12, 13])(
    'rewrites the KIP-951 NodeEndpoints of Produce v%i, keeping leader ids and the other tags',
    (version) => {
      const value = (endpoints: typeof BROKERS): Value => ({
        Responses: [
          {
            Name: 'orders',
            TopicId: Buffer.alloc(16, 3),
            PartitionResponses: [
              {
                Index: 0,
                ErrorCode: 6,
                BaseOffset: -1,
                RecordErrors: [{ BatchIndex: 2, BatchIndexErrorMessage: 'x' }],
                ErrorMessage: 'moved',
                CurrentLeader: { LeaderId: 1001, LeaderEpoch: 9 },
              },
              { Index: 1, ErrorCode: 0, BaseOffset: 42 },
            ],
          },
        ],
        ThrottleTimeMs: 3,
        NodeEndpoints: endpoints.map(({ NodeId, Host, Port, Rack }) => ({ NodeId, Host, Port, Rack })),
      });
      const original = encodeResponseFrame(0, version, 5, value(BROKERS));
      const b = book();
      expect(rewriteAddresses(original, 0, version, b)).toEqual(
        encodeResponseFrame(0, version, 5, value(BROKERS.map(local))),
      );
      expect(b.learnt.get(1001)).toEqual({ host: 'kafka-1001.internal.example', port: 9094 });
    },
  );

  it('leaves a Produce response without NodeEndpoints as it is, without copying it', () => {
    const frame = encodeResponseFrame(0, 12, 5, {
      Responses: [{ Name: 't', PartitionResponses: [{ Index: 0 }] }],
    });
    expect(rewriteAddresses(frame, 0, 12, book())).toBe(frame);
    // Still walked: bytes that do not fit the layout are refused.
    expect(() => rewriteAddresses(frame.subarray(0, 12), 0, 12, book())).toThrow(WireError);
  });

  it('refuses versions it cannot read, and truncated bytes, by throwing', () => {
    const frame = encodeResponseFrame(3, 12, 1, metadata(BROKERS));
    expect(() => rewriteAddresses(frame, 3, 14, book())).toThrow('cannot rewrite addresses of API 3 v14');
    expect(() => rewriteAddresses(frame, 0, 9, book())).toThrow('cannot rewrite');
    expect(() => rewriteAddresses(frame, 1, 16, book())).toThrow('cannot rewrite');
    expect(() => rewriteAddresses(frame.subarray(0, 30), 3, 12, book())).toThrow(WireError);
  });
});
