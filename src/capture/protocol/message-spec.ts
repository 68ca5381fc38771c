// The shape of the generated response-schema table: Kafka's JSON message definitions, reduced to what a walker needs.

/** A field's optional attributes, named as in Kafka's JSON (`nullableVersions` → `nullable`, …). */
export interface FieldOptions {
  /** Versions in which the field may be null (Kafka's `nullableVersions`). */
  readonly nullable?: string;
  /** Versions in which the field is a tagged field (Kafka's `taggedVersions`), with its `tag`. */
  readonly tagged?: string;
  readonly tag?: number;
  /** A field-level `flexibleVersions` override (compact encoding only in these versions). */
  readonly flexible?: string;
  /** Kafka's `entityType`, kept only for `topicName` (the walker labels errors with the enclosing topic). */
  readonly entity?: 'topicName';
}

/**
 * One field: `[name, type, versions, options, fields]`. `type` is Kafka's (`int16`, `string`, `[]int32`,
 * `[]TopicProduceResponse`, `LeaderIdAndEpoch`…); struct types carry their `fields`, common structs inlined.
 * Version ranges are Kafka's strings: `0+`, `3-7`, `5`, `none`.
 */
export type FieldSpec =
  | readonly [name: string, type: string, versions: string]
  | readonly [name: string, type: string, versions: string, options: FieldOptions | null]
  | readonly [
      name: string,
      type: string,
      versions: string,
      options: FieldOptions | null,
      fields: readonly FieldSpec[],
    ];

/** One response message over a range of versions, from one Kafka release's definition. */
export interface ResponseMessageSpec {
  readonly apiKey: number;
  /** Kafka's message name, e.g. `ProduceResponse`. */
  readonly name: string;
  /** The Kafka release whose definition this entry was taken from. */
  readonly source: string;
  /** The versions this entry covers (a sub-range of the release's `validVersions`). */
  readonly versions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly FieldSpec[];
}
