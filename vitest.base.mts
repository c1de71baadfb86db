import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Workspace packages resolve to their sources so that tests never depend on a prior build.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@tsrun\/oci-spec$/, replacement: `${root}packages/oci-spec/src/index.ts` },
      { find: /^@tsrun\/oci-spec\/errors$/, replacement: `${root}packages/oci-spec/src/errors.ts` },
      { find: /^@tsrun\/proto$/, replacement: `${root}packages/proto/src/index.ts` },
      { find: /^@tsrun\/image-store$/, replacement: `${root}packages/image-store/src/index.ts` },
      { find: /^@tsrun\/registry-client$/, replacement: `${root}packages/registry-client/src/index.ts` },
      { find: /^@tsrun\/network-manager$/, replacement: `${root}packages/network-manager/src/index.ts` },
    ],
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 15_000,
    pool: 'forks',
  },
});
