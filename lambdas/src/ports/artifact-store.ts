/**
 * The module's artifact bucket (S3): the runner tarballs the runner-cache function keeps, and the
 * pointer files instances read. Only that function and Terraform write here; runner instances may
 * only read (modules/runner-pool/iam.tf), so nothing a job can write reaches another instance.
 * Errors: NotFoundError (no such key), RateLimitedError, TransientError, PermanentError.
 */

export interface StoredArtifact {
  readonly key: string;
  /** Lowercase hex SHA-256 of the body, as `put` recorded it. */
  readonly sha256: string;
  readonly size: number;
}

export interface ArtifactStorePort {
  /** The object's recorded checksum and size; undefined when there is no such key. */
  head(key: string): Promise<StoredArtifact | undefined>;
  /** A small text object (a pointer file); NotFoundError when absent. */
  getText(key: string): Promise<string>;
  /**
   * Writes `body` under `key`. The store checks `sha256` against the bytes it received and
   * refuses a mismatch with PermanentError, so a corrupted transfer never lands.
   */
  put(key: string, body: Uint8Array, sha256: string, contentType: string): Promise<void>;
}
