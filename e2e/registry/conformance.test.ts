// The RegistryClient conformance suite against the local client and against
// the gRPC proxy talking to a RegistryService (on a unix socket) that serves a local client.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { addRegistryService, GrpcRegistryClient, LocalRegistryClient } from '../../packages/registry-client/src/index.ts';
import { registryClientConformance } from '../lib/registry-conformance.ts';

registryClientConformance('LocalRegistryClient', async (store, dockerConfigPath) => ({
  client: new LocalRegistryClient({ store, dockerConfigPath }),
  close: async () => undefined,
}));

registryClientConformance('GrpcRegistryClient', async (store, dockerConfigPath) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsrun-e2e-reggrpc-'));
  const server = new Server();
  addRegistryService(server, new LocalRegistryClient({ store, dockerConfigPath }));
  const address = `unix://${join(dir, 'registry.sock')}`;
  await new Promise<void>((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  const client = new GrpcRegistryClient(address);
  return {
    client,
    async close() {
      client.close();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
