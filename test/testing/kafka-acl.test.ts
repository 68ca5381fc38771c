// ACL grants become one kafkajs entry per operation with the protocol's enum values.
import { describe, expect, it } from 'vitest';
import { aclEntries } from '../support/kafka/kafka-acl.js';

describe('aclEntries', () => {
  it.each([
    [
      'a literal topic grant, one entry per operation',
      { user: 'alice', resource: 'topic', name: 't', operations: ['write', 'describe'] } as const,
      [
        {
          principal: 'User:alice',
          host: '*',
          operation: 4,
          permissionType: 3,
          resourceType: 2,
          resourceName: 't',
          resourcePatternType: 3,
        },
        {
          principal: 'User:alice',
          host: '*',
          operation: 8,
          permissionType: 3,
          resourceType: 2,
          resourceName: 't',
          resourcePatternType: 3,
        },
      ],
    ],
    [
      'a prefixed group deny',
      {
        user: 'bob',
        resource: 'group',
        name: 'g-',
        operations: ['read'],
        prefixed: true,
        deny: true,
      } as const,
      [
        {
          principal: 'User:bob',
          host: '*',
          operation: 3,
          permissionType: 2,
          resourceType: 3,
          resourceName: 'g-',
          resourcePatternType: 4,
        },
      ],
    ],
    [
      'the cluster resource is always named kafka-cluster',
      { user: 'bob', resource: 'cluster', operations: ['describe-configs'] } as const,
      [
        {
          principal: 'User:bob',
          host: '*',
          operation: 10,
          permissionType: 3,
          resourceType: 4,
          resourceName: 'kafka-cluster',
          resourcePatternType: 3,
        },
      ],
    ],
  ])('%s', (_name, grant, expected) => {
    expect(aclEntries([grant])).toEqual(expected);
  });
});
