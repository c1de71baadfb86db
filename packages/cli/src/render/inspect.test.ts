import { describe, expect, it } from 'vitest';
import type { ImageDetails, Network, Volume } from '../client/wire.js';
import { CONTAINER } from '../testdata/container-info.js';
import { compileTemplate, executeTemplate } from './format.js';
import { containerDocument, imageDocument, networkDocument, renderInspect, volumeDocument } from './inspect.js';

describe('docker-shaped inspect', () => {
  it('a container', () => {
    const doc = containerDocument(CONTAINER);
    expect(doc).toMatchObject({
      Id: CONTAINER.id, Name: '/web', Path: 'nginx', Args: ['-g', 'daemon off;'], Image: 'sha256:1234', RestartCount: 2,
      State: { Status: 'exited', Running: false, ExitCode: 3, StartedAt: '2026-11-23T09:00:01Z' },
      HostConfig: {
        Binds: ['/srv/html:/usr/share/nginx/html:ro'], NetworkMode: 'front', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 }, Memory: 67108864, NanoCpus: 1500000000, PidsLimit: null, CapAdd: ['NET_ADMIN'], CapDrop: null,
        Tmpfs: { '/run': 'size=1m' },
      },
      Mounts: [{ Type: 'bind', Source: '/srv/html', Destination: '/usr/share/nginx/html', RW: false }],
      Config: { Image: 'nginx:1.27', Cmd: ['nginx', '-g', 'daemon off;'], Entrypoint: ['/docker-entrypoint.sh'], Labels: { tier: 'web' }, StopSignal: 'SIGQUIT' },
      NetworkSettings: {
        Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '443/tcp': null },
        IPAddress: '10.0.0.3', IPPrefixLen: 24, Gateway: '10.0.0.1',
        Networks: { front: { IPAddress: '10.0.0.3', IPPrefixLen: 24, Gateway: '10.0.0.1', MacAddress: '02:42:0a:00:00:03', Aliases: ['web'] } },
      },
    });
  });

  it('--format applies to each document', () => {
    const t = compileTemplate('{{.State.ExitCode}} {{.Name}} {{index .Config.Labels "tier"}} {{json .HostConfig.RestartPolicy}}');
    expect(renderInspect([containerDocument(CONTAINER), containerDocument({ ...CONTAINER, name: 'b', state: { ...CONTAINER.state!, exitCode: 0 } })], (d) => executeTemplate(t, d)))
      .toBe('3 /web web {"Name":"on-failure","MaximumRetryCount":5}\n0 /b web {"Name":"on-failure","MaximumRetryCount":5}\n');
  });

  it('without --format: one JSON array, indented as docker indents it', () => {
    const text = renderInspect([volumeDocument({ name: 'v', driver: 'local', mountpoint: '/var/lib/tsd/volumes/v', created: '2026-11-23T09:00:00Z', labels: {}, usedBy: [] } as Volume)], undefined);
    expect(text).toBe('[\n    {\n        "CreatedAt": "2026-11-23T09:00:00Z",\n        "Driver": "local",\n        "Labels": null,\n        "Mountpoint": "/var/lib/tsd/volumes/v",\n        "Name": "v",\n        "Options": null,\n        "Scope": "local"\n    }\n]\n');
  });

  it('an image', () => {
    const image: ImageDetails = {
      image: { name: 'docker.io/library/busybox:latest', target: { mediaType: 'application/vnd.oci.image.index.v1+json', digest: 'sha256:idx', size: '1000', platform: null, annotations: {} }, created: '2026-11-01T00:00:00Z', updated: '2026-11-02T00:00:00Z' },
      manifestDigest: 'sha256:man', configDigest: 'sha256:cfg', layers: [], diffIds: ['sha256:d1'], chainIds: ['sha256:d1'], size: '2000000',
      configJson: JSON.stringify({ created: '2026-10-01T00:00:00Z', architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'], Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: ['sha256:d1'] } }),
    };
    expect(imageDocument(image)).toMatchObject({
      Id: 'sha256:cfg', RepoTags: ['busybox:latest'], RepoDigests: ['busybox@sha256:idx'], Size: 2000000, RootFS: { Type: 'layers', Layers: ['sha256:d1'] },
      Created: '2026-10-01T00:00:00Z', Architecture: 'amd64', Os: 'linux', Config: { Cmd: ['sh'], Env: ['PATH=/bin'] },
    });
  });

  it('a network', () => {
    const network = {
      name: 'front', id: 'n1', driver: 'bridge', bridge: 'tsr-front', subnet: '10.0.0.0/24', gateway: '10.0.0.1', mtu: 1500, isDefault: false, created: '2026-11-23T08:00:00Z',
      endpoints: [{ network: 'front', containerId: 'c1', name: 'web', aliases: [], hostname: '', netnsPath: '', ifName: 'eth0', hostIf: 'veth1', address: '10.0.0.3', prefix: 24, gateway: '10.0.0.1', mac: '02:42', dns: null, filesDir: '' }],
    } as Network;
    expect(networkDocument(network)).toMatchObject({
      Name: 'front', Id: 'n1', Driver: 'bridge', Scope: 'local', IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.0.0/24', Gateway: '10.0.0.1' }] },
      Containers: { c1: { Name: 'web', IPv4Address: '10.0.0.3/24', MacAddress: '02:42' } },
      Options: { 'com.docker.network.bridge.name': 'tsr-front', 'com.docker.network.driver.mtu': '1500' },
    });
  });
});
