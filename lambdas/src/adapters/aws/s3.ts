/**
 * The artifact bucket over S3. Uploads carry their SHA-256 (`x-amz-checksum-sha256`), which S3
 * checks against the bytes it received before it stores them (S3 user guide, "Checking object
 * integrity"), and as `x-amz-meta-sha256` in hex, which HeadObject returns without reading the body.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { NotFoundError } from '../../errors.js';
import type { ArtifactStorePort, StoredArtifact } from '../../ports/artifact-store.js';
import { awsCall } from './errors.js';

const SHA256 = /^[0-9a-f]{64}$/;

export class S3ArtifactStore implements ArtifactStorePort {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async head(key: string): Promise<StoredArtifact | undefined> {
    try {
      const out = await awsCall({ service: 'S3', operation: 'HeadObject', subject: key }, () =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })),
      );
      const sha256 = out.Metadata?.sha256 ?? '';
      // An object written by someone else, without our checksum, is treated as absent: it is rewritten.
      return SHA256.test(sha256) ? { key, sha256, size: out.ContentLength ?? 0 } : undefined;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async getText(key: string): Promise<string> {
    const out = await awsCall({ service: 'S3', operation: 'GetObject', subject: key }, () =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })),
    );
    if (out.Body === undefined) throw new NotFoundError(`S3 GetObject ${key} returned no body`);
    return out.Body.transformToString('utf8');
  }

  async put(key: string, body: Uint8Array, sha256: string, contentType: string): Promise<void> {
    await awsCall({ service: 'S3', operation: 'PutObject', subject: key }, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.byteLength,
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
          Metadata: { sha256 },
        }),
      ),
    );
  }
}

export interface S3StoreOptions {
  readonly bucket: string;
  readonly region?: string;
  /** The simulator's S3 facade (path-style, loopback); production leaves it unset. */
  readonly endpoint?: string;
  readonly credentials?: S3ClientConfig['credentials'];
}

export function createArtifactStore(options: S3StoreOptions): ArtifactStorePort {
  const config: S3ClientConfig = {};
  if (options.region !== undefined) config.region = options.region;
  if (options.endpoint !== undefined) {
    config.endpoint = options.endpoint;
    config.forcePathStyle = true;
  }
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return new S3ArtifactStore(new S3Client(config), options.bucket);
}
