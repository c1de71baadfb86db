import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Channel, credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { InProcessServer, inProcessChannel } from '@tsrun/proto';
import { GrpcImageStore } from './client.js';
import { LocalImageStore } from './image-store.js';
import { addImageService } from './server.js';
import { imageStoreConformance } from './testsuite.js';

imageStoreConformance('local', async (root) => {
  const local = await LocalImageStore.open(root);
  return { store: local, local, close: async () => {} };
});

imageStoreConformance('gRPC proxy over a unix socket', async (root) => {
  const local = await LocalImageStore.open(root);
  const sockDir = mkdtempSync(join(tmpdir(), 'image-store-grpc-'));
  const server = new Server();
  addImageService(server, local);
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${join(sockDir, 'images.sock')}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  const client = new GrpcImageStore(`unix://${join(sockDir, 'images.sock')}`);
  return {
    store: client,
    local,
    close: async () => {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      rmSync(sockDir, { recursive: true, force: true });
    },
  };
});

imageStoreConformance('gRPC client in process (tsd\'s embedded default)', async (root) => {
  const local = await LocalImageStore.open(root);
  const here = new InProcessServer();
  addImageService(here, local);
  // streams in both directions (import) take the socket, as in tsd
  const sockDir = mkdtempSync(join(tmpdir(), 'image-store-inproc-'));
  const address = `unix://${join(sockDir, 'images.sock')}`;
  const server = new Server();
  addImageService(server, local);
  await new Promise<void>((resolve, reject) => server.bindAsync(address, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
  const client = new GrpcImageStore(address, credentials.createInsecure(), {
    channelOverride: inProcessChannel(here, address, () => new Channel(address, credentials.createInsecure(), {})),
  });
  return {
    store: client,
    local,
    close: async () => {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      rmSync(sockDir, { recursive: true, force: true });
    },
  };
});
