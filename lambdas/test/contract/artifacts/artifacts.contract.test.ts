import { createArtifactStore } from '../../../src/adapters/aws/s3.js';
import { FetchRunnerReleases } from '../../../src/adapters/github/runner-releases.js';
import { S3Facade } from '../../../src/sim/facades/artifacts/s3-facade.js';
import { ReleasesFacade } from '../../../src/sim/facades/artifacts/releases-facade.js';
import { MemoryArtifactStore } from '../../../src/sim/memory/artifact-store.js';
import { MemoryRunnerReleases } from '../../../src/sim/memory/runner-releases.js';
import { describeArtifactStoreContract, describeRunnerReleasesContract } from '../../support/artifact-contracts.js';

describeArtifactStoreContract('in-memory', () =>
  Promise.resolve({ store: new MemoryArtifactStore(), close: () => Promise.resolve() }),
);

describeArtifactStoreContract('SDK adapter → S3 facade', async () => {
  const facade = new S3Facade();
  const endpoint = await facade.start();
  const store = createArtifactStore({
    bucket: 'ghr-artifacts',
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return { store, close: () => facade.close() };
});

describeRunnerReleasesContract('in-memory', () => {
  const backend = new MemoryRunnerReleases();
  return Promise.resolve({ releases: backend, backend, close: () => Promise.resolve() });
});

describeRunnerReleasesContract('fetch adapter → releases facade', async () => {
  const backend = new MemoryRunnerReleases();
  const facade = new ReleasesFacade(backend);
  const urls = await facade.start();
  return { releases: new FetchRunnerReleases(urls), backend, close: () => facade.close() };
});
