/** A container as the daemon's Inspect returns it, for the inspect and end-to-end tests. */
import type { ContainerInfo } from '../client/wire.js';

export const CONTAINER: ContainerInfo = {
  id: 'c0ffee'.padEnd(64, '0'), name: 'web', created: '2026-11-23T09:00:00Z', path: 'nginx', args: ['-g', 'daemon off;'],
  state: { status: 'exited', running: false, paused: false, restarting: false, oomKilled: false, dead: false, pid: 0, exitCode: 3, error: '', startedAt: '2026-11-23T09:00:01Z', finishedAt: '2026-11-23T09:05:00Z' },
  image: 'nginx:1.27', imageId: 'sha256:1234', logPath: '/var/lib/tsd/containers/c0ffee/log.json', restartCount: 2,
  config: { image: 'nginx:1.27', cmd: ['nginx', '-g', 'daemon off;'], entrypoint: ['/docker-entrypoint.sh'], entrypointSet: false, env: ['PATH=/usr/bin'], workingDir: '/', user: '', hostname: 'c0ffee000000', tty: false, openStdin: false, labels: { tier: 'web' }, stopSignal: 'SIGQUIT', stopTimeout: 0 },
  hostConfig: {
    binds: ['/srv/html:/usr/share/nginx/html:ro'], mounts: [], portBindings: ['127.0.0.1:8080:80'], networkMode: 'front', memory: '67108864', nanoCpus: '1500000000',
    pidsLimit: '0', restartPolicy: { name: 'on-failure', maximumRetryCount: 5 }, readOnlyRootfs: false, capAdd: ['NET_ADMIN'], capDrop: [], privileged: false, autoRemove: false, tmpfs: { '/run': 'size=1m' },
  },
  mounts: [{ type: 'bind', name: '', source: '/srv/html', destination: '/usr/share/nginx/html', rw: false }],
  networks: [{ network: 'front', ipAddress: '10.0.0.3', ipPrefixLen: 24, gateway: '10.0.0.1', macAddress: '02:42:0a:00:00:03', aliases: ['web'] }],
  ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '', hostPort: 0, containerPort: 443, protocol: 'tcp' }],
  rootfs: '/var/lib/tsd/rootfs/c0ffee', bundle: '/run/tsd/bundles/c0ffee',
};
