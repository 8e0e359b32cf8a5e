/** The artifact bucket in memory: the port's double, held to the same contract as the S3 adapter. */
import { createHash } from 'node:crypto';
import { NotFoundError, PermanentError } from '../../errors.js';
import type { ArtifactStorePort, StoredArtifact } from '../../ports/artifact-store.js';

export interface MemoryObject {
  readonly body: Uint8Array;
  readonly sha256: string;
  readonly contentType: string;
}

export class MemoryArtifactStore implements ArtifactStorePort {
  readonly objects = new Map<string, MemoryObject>();

  head(key: string): Promise<StoredArtifact | undefined> {
    const object = this.objects.get(key);
    return Promise.resolve(object && { key, sha256: object.sha256, size: object.body.byteLength });
  }

  getText(key: string): Promise<string> {
    const object = this.objects.get(key);
    if (object === undefined) return Promise.reject(new NotFoundError(`no object ${key}`));
    return Promise.resolve(new TextDecoder().decode(object.body));
  }

  put(key: string, body: Uint8Array, sha256: string, contentType: string): Promise<void> {
    if (createHash('sha256').update(body).digest('hex') !== sha256) {
      return Promise.reject(new PermanentError(`put ${key}: the body does not match its SHA-256 (BadDigest)`));
    }
    this.objects.set(key, { body: new Uint8Array(body), sha256, contentType });
    return Promise.resolve();
  }
}
