import { describe, expect, it } from 'vitest';
import { type ContainerFlags, containerRequest } from './container-request.js';

const none: ContainerFlags = { env: [], envFile: [], publish: [], volume: [], mount: [], capAdd: [], capDrop: [], tmpfs: [], label: [] };
const sources = { env: { TERM: 'xterm' }, cwd: '/home/me', readFile: (p: string) => (p === 'app.env' ? 'FROM_FILE=1\n' : '') };

describe('run/create flags -> CreateContainerRequest', () => {
  it('maps every flag to its field', () => {
    const request = containerRequest({
      ...none,
      interactive: true, tty: true, rm: true, name: 'web',
      env: ['A=1', 'TERM', 'GONE'], envFile: ['app.env'],
      publish: ['8080:80'], volume: ['/srv:/srv:ro', 'data:/data', '/anon'], mount: ['type=tmpfs,target=/scratch,tmpfs-size=1m'],
      network: 'front', memory: '64m', cpus: '1.5', pidsLimit: '100', user: '1000:1000', workdir: '/app', restart: 'no',
      hostname: 'box', readOnly: true, capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'], privileged: false, tmpfs: ['/run:size=1m'],
      label: ['tier=web'], stopSignal: 'SIGQUIT', stopTimeout: '30',
    }, 'nginx:1.27', ['nginx', '-g', 'daemon off;'], sources);
    expect(request).toEqual({
      name: 'web',
      config: {
        image: 'nginx:1.27', cmd: ['nginx', '-g', 'daemon off;'], entrypoint: [], entrypointSet: false,
        env: ['FROM_FILE=1', 'A=1', 'TERM=xterm'], workingDir: '/app', user: '1000:1000', hostname: 'box', tty: true, openStdin: true,
        labels: { tier: 'web' }, stopSignal: 'SIGQUIT', stopTimeout: 30,
      },
      hostConfig: {
        binds: ['/srv:/srv:ro', 'data:/data'],
        mounts: [
          { type: 'volume', source: '', target: '/anon', readOnly: false, tmpfsSize: 0 },
          { type: 'tmpfs', source: '', target: '/scratch', readOnly: false, tmpfsSize: 1024 * 1024 },
        ],
        portBindings: ['8080:80'], networkMode: 'front', memory: 64 * 1024 * 1024, nanoCpus: 1_500_000_000, pidsLimit: 100,
        restartPolicy: { name: 'no', maximumRetryCount: 0 }, readOnlyRootfs: true, capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'],
        privileged: false, autoRemove: true, tmpfs: { '/run': 'size=1m' },
      },
    });
  });

  it('--entrypoint "" clears the image entrypoint', () => {
    const r = containerRequest({ ...none, entrypoint: '' }, 'busybox', [], sources);
    expect(r.config?.entrypoint).toEqual(['']);
    expect(r.config?.entrypointSet).toBe(true);
  });

  it('--pids-limit -1 is no limit', () => {
    expect(containerRequest({ ...none, pidsLimit: '-1' }, 'busybox', [], sources).hostConfig?.pidsLimit).toBe(0);
  });

  it('rejects a bad value before anything is sent, naming the flag', () => {
    expect(() => containerRequest({ ...none, publish: ['80:abc'] }, 'busybox', [], sources)).toThrow('invalid argument "80:abc" for "-p, --publish" flag');
    expect(() => containerRequest({ ...none, cpus: 'two' }, 'busybox', [], sources)).toThrow('for "--cpus" flag');
    expect(() => containerRequest({ ...none, rm: true, restart: 'always' }, 'busybox', [], sources)).toThrow('conflicting options: --restart and --rm');
  });
});
