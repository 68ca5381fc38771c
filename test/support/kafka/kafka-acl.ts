// ACL grants for the SASL test broker through the kafkajs admin client (CreateAcls/DeleteAcls v1).
import kafkajs from 'kafkajs';
import type { AclEntry, Admin } from 'kafkajs';

// kafkajs' enums exist only on its CommonJS export object, not as ESM named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type AclResource = 'topic' | 'group' | 'cluster' | 'transactional-id';
export type AclOperation =
  | 'all'
  | 'read'
  | 'write'
  | 'create'
  | 'delete'
  | 'alter'
  | 'describe'
  | 'describe-configs'
  | 'alter-configs'
  | 'idempotent-write';

/** One rule: `user` may (or, with `deny`, may not) do `operations` on a resource. */
export interface AclGrant {
  /** The SASL username; the principal is `User:<user>`. */
  readonly user: string;
  readonly resource: AclResource;
  /** Topic, group or transactional id; prefix when `prefixed`. Ignored for `cluster`. */
  readonly name?: string;
  readonly operations: readonly AclOperation[];
  /** @default false */
  readonly prefixed?: boolean;
  /** @default false (allow) */
  readonly deny?: boolean;
}

const RESOURCE = {
  topic: AclResourceTypes.TOPIC,
  group: AclResourceTypes.GROUP,
  cluster: AclResourceTypes.CLUSTER,
  'transactional-id': AclResourceTypes.TRANSACTIONAL_ID,
} as const;

const OPERATION = {
  all: AclOperationTypes.ALL,
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  create: AclOperationTypes.CREATE,
  delete: AclOperationTypes.DELETE,
  alter: AclOperationTypes.ALTER,
  describe: AclOperationTypes.DESCRIBE,
  'describe-configs': AclOperationTypes.DESCRIBE_CONFIGS,
  'alter-configs': AclOperationTypes.ALTER_CONFIGS,
  'idempotent-write': AclOperationTypes.IDEMPOTENT_WRITE,
} as const;

/** The kafkajs ACL entries for a list of grants (one entry per operation). */
export function aclEntries(grants: readonly AclGrant[]): AclEntry[] {
  return grants.flatMap((grant) =>
    grant.operations.map((operation) => ({
      principal: `User:${grant.user}`,
      host: '*',
      operation: OPERATION[operation],
      permissionType: grant.deny ? AclPermissionTypes.DENY : AclPermissionTypes.ALLOW,
      resourceType: RESOURCE[grant.resource],
      resourceName: grant.resource === 'cluster' ? 'kafka-cluster' : (grant.name ?? '*'),
      resourcePatternType: grant.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    })),
  );
}

/**
 * Creates the ACLs (none for an empty list) with an admin connected as a super user. The StandardAuthorizer applies them once
 * the metadata log has them, which on one node is milliseconds; callers that race it should retry.
 */
export async function grantAcls(admin: Admin, grants: readonly AclGrant[]): Promise<void> {
  // kafkajs rejects an empty list; granting nothing is simply nothing to do.
  if (grants.length === 0) return;
  await admin.createAcls({ acl: aclEntries(grants) });
}

/** Deletes exactly the ACLs that `grantAcls` with the same grants created. */
export async function revokeAcls(admin: Admin, grants: readonly AclGrant[]): Promise<void> {
  if (grants.length === 0) return;
  await admin.deleteAcls({ filters: aclEntries(grants) });
}
