import { type GrpcObject, loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_SET } from './generated/descriptor-set.js';
import { loadProto, PROTO_LOADER_OPTIONS } from './index.js';
import { serviceClient, serviceClients } from './service-client.js';

/** Every service of the set by full name, with loadProto's client class for it. */
function loadProtoServices(): Map<string, ServiceClientConstructor> {
  const out = new Map<string, ServiceClientConstructor>();
  const walk = (json: { nested?: Record<string, object> }, grpc: GrpcObject, prefix: string): void => {
    for (const [name, child] of Object.entries(json.nested ?? {})) {
      const full = prefix ? `${prefix}.${name}` : name;
      if ('methods' in child) out.set(full, grpc[name] as ServiceClientConstructor);
      else if (!('fields' in child) && !('values' in child)) walk(child, grpc[name] as GrpcObject, full);
    }
  };
  walk(DESCRIPTOR_SET, loadProto('engine/v1/engine.proto'), '');
  return out;
}

const services = loadProtoServices();

describe('serviceClient', () => {
  it('makes the client loadProto makes, for every service', () => {
    expect(services.size).toBeGreaterThan(5);
    for (const [name, expected] of services) {
      const actual = serviceClient(name);
      expect(actual.serviceName).toBe(expected.serviceName);
      expect(Object.keys(actual.service)).toEqual(Object.keys(expected.service));
      for (const [method, def] of Object.entries(expected.service)) {
        const got = actual.service[method]!;
        expect({ path: got.path, requestStream: got.requestStream, responseStream: got.responseStream, originalName: got.originalName })
          .toEqual({ path: def.path, requestStream: def.requestStream, responseStream: def.responseStream, originalName: def.originalName });
        expect(typeof actual.prototype[def.originalName!]).toBe('function');
        // an empty message both ways: the defaults (PROTO_LOADER_OPTIONS) come out the same
        expect(got.requestSerialize({})).toEqual(def.requestSerialize({}));
        expect(got.responseDeserialize(Buffer.alloc(0))).toEqual(def.responseDeserialize(Buffer.alloc(0)));
      }
    }
    expect(serviceClient('tsrun.engine.v1.ContainerService')).toBe(serviceClient('tsrun.engine.v1.ContainerService'));
  });

  it('encodes and decodes as loadProto does: oneofs, maps, enums, int64, messages of another package', () => {
    const check = (service: string, method: string, request: object, response: object): void => {
      const mine = serviceClient(service).service[method]!;
      const theirs = services.get(service)!.service[method]!;
      const bytes = theirs.requestSerialize(request);
      expect(mine.requestSerialize(request)).toEqual(bytes);
      expect(mine.requestDeserialize(bytes)).toEqual(theirs.requestDeserialize(bytes));
      const out = theirs.responseSerialize(response);
      expect(mine.responseSerialize(response)).toEqual(out);
      expect(mine.responseDeserialize(out)).toEqual(theirs.responseDeserialize(out));
    };
    check('tsrun.engine.v1.ContainerService', 'Create', {
      name: 'web',
      config: { image: 'busybox', cmd: ['sh', '-c', 'true'], env: ['A=1'], labels: { tier: 'web' }, tty: true },
      hostConfig: { networkMode: 'none', autoRemove: true, memory: '67108864', restartPolicy: { name: 'on-failure', maximumRetryCount: 3 } },
    }, { id: 'a'.repeat(64), warnings: ['w'] });
    check('tsrun.engine.v1.ContainerService', 'Attach', { stdin: Buffer.from('x') }, { exitCode: 7 });
    check('tsrun.registry.v1.RegistryService', 'Pull', { reference: 'busybox', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { progress: { blob: { digest: `sha256:${'d'.repeat(64)}`, kind: 'layer', phase: 'PHASE_DONE', bytesDone: '100', bytesTotal: '100' } } });
    expect(() => serviceClient('tsrun.engine.v1.ContainerService').service['Create']!.requestSerialize([] as unknown as object))
      .toThrow('Failed to serialize message: expected object with CreateContainerRequest structure, got array instead');
  });

  it('finds names as protobuf scopes them: nested, relative to a parent package, absolute', () => {
    const root = new protobuf.Root();
    protobuf.parse(`syntax = "proto3"; package demo.shared.v1;
      message Digest { string algorithm = 1; bytes value = 2; }
      enum Kind { KIND_UNSPECIFIED = 0; KIND_LAYER = 1; }`, root);
    protobuf.parse(`syntax = "proto3"; package demo.app.v1;
      message Outer {
        message Inner { repeated int32 numbers = 1; shared.v1.Kind kind = 2; }
        Inner inner = 1;
        map<string, Inner> by_name = 2;
        oneof choice { string text = 3; .demo.shared.v1.Digest digest = 4; }
        int64 size = 5;
      }
      message Reply { Outer.Inner inner = 1; uint64 count = 2; }
      service Things { rpc Get(Outer) returns (Reply); rpc Watch(demo.shared.v1.Digest) returns (stream Reply); }`, root);
    const json = root.toJSON();
    const mine = serviceClients(json)('demo.app.v1.Things').service;
    const theirs = (loadPackageDefinition(fromJSON(json, PROTO_LOADER_OPTIONS)) as any).demo.app.v1.Things.service; // eslint-disable-line @typescript-eslint/no-explicit-any
    const outer = { inner: { numbers: [1, 2, 300], kind: 'KIND_LAYER' }, byName: { a: { numbers: [7] } }, digest: { algorithm: 'sha256', value: Buffer.from('ab') }, size: '9007199254740993' };
    const bytes = theirs.Get.requestSerialize(outer);
    expect(mine.Get!.requestSerialize(outer)).toEqual(bytes);
    expect(mine.Get!.requestDeserialize(bytes)).toEqual(theirs.Get.requestDeserialize(bytes));
    const reply = theirs.Get.responseSerialize({ inner: { numbers: [3], kind: 'KIND_LAYER' }, count: '18446744073709551615' });
    expect(mine.Get!.responseDeserialize(reply)).toEqual(theirs.Get.responseDeserialize(reply));
    expect(mine.Watch!.requestSerialize({ algorithm: 'x' })).toEqual(theirs.Watch.requestSerialize({ algorithm: 'x' }));
    expect(mine.Watch!.responseStream).toBe(true);
  });

  it('names what it cannot find', () => {
    expect(() => serviceClient('tsrun.nope.v1.NopeService')).toThrow('proto: no tsrun.nope.v1.NopeService among the contracts');
    expect(() => serviceClient('tsrun.engine.v1.ContainerConfig')).toThrow('proto: tsrun.engine.v1.ContainerConfig is not a service');
  });
});
