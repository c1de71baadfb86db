/**
 * One service's client class, made from the descriptor set with protobufjs alone.
 * loadProto (proto-loader) turns every contract into protobufjs types up front, with
 * the reflection descriptors of each; for a short-lived client (tsctl) that is most
 * of its start. Here nothing is built until a method is first called, and then only
 * the messages that method carries (and those they hold) become types. Messages
 * convert as loadProto's do: the same protobufjs calls with the same PROTO_LOADER_OPTIONS.
 */
import { makeClientConstructor, type MethodDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import protobuf, { type Type } from 'protobufjs/light.js';
import { DESCRIPTOR_SET } from './generated/descriptor-set.js';
import { PROTO_LOADER_OPTIONS } from './loader-options.js';

/** A namespace, message, enum or service in protobufjs's JSON form. */
interface ReflectionJson {
  nested?: Record<string, ReflectionJson>;
  fields?: Record<string, { type: string }>;
  methods?: Record<string, { requestType: string; responseType: string; requestStream?: boolean; responseStream?: boolean }>;
  values?: object;
}

const isDeclaration = (json: ReflectionJson): boolean => json.fields !== undefined || json.methods !== undefined || json.values !== undefined;

/** The packages of the set by full name ('tsrun.engine.v1'), each with its top-level messages, enums and services. */
function packagesOf(ns: ReflectionJson, prefix = '', out = new Map<string, Record<string, ReflectionJson>>()): Map<string, Record<string, ReflectionJson>> {
  for (const [name, child] of Object.entries(ns.nested ?? {})) {
    if (!isDeclaration(child)) packagesOf(child, prefix ? `${prefix}.${name}` : name, out);
    else if (out.has(prefix)) out.get(prefix)![name] = child;
    else out.set(prefix, { [name]: child });
  }
  return out;
}

/** A top-level declaration, which a method's root is made of, and the full name of the type a reference found in it. */
interface Declaration {
  pkg: string;
  name: string;
  type: string;
}

class Contracts {
  constructor(private readonly packages: ReadonlyMap<string, Record<string, ReflectionJson>>) {}

  /** The top-level declaration that holds `fullName` ('tsrun.oci.v1.Descriptor', or a type nested in it). */
  private declarationOf(fullName: string): Declaration | undefined {
    for (const [pkg, declarations] of this.packages) {
      const rest = pkg === '' ? fullName : fullName.startsWith(`${pkg}.`) ? fullName.slice(pkg.length + 1) : undefined;
      const name = rest?.split('.')[0];
      if (name !== undefined && Object.hasOwn(declarations, name)) return { pkg, name, type: fullName };
    }
    return undefined;
  }

  /**
   * What a type name written in `pkg` resolves to, as protobuf scopes names: from the
   * innermost message (`scopes`, innermost last) outwards, then the package and its parents.
   * Scalars and names inside the same declaration resolve to nothing new.
   */
  private resolve(ref: string, pkg: string, scopes: readonly ReflectionJson[]): Declaration | undefined {
    if (ref.startsWith('.')) return this.declarationOf(ref.slice(1));
    const first = ref.split('.')[0]!;
    if (scopes.some((s) => s.nested !== undefined && Object.hasOwn(s.nested, first))) return undefined;
    for (let scope: string | undefined = pkg; scope !== undefined; scope = scope === '' ? undefined : scope.slice(0, Math.max(0, scope.lastIndexOf('.')))) {
      const found = this.declarationOf(scope === '' ? ref : `${scope}.${ref}`);
      if (found) return found;
    }
    return undefined;
  }

  /** The declarations the message `json` (in `pkg`) refers to, its nested messages' included. */
  private references(json: ReflectionJson, pkg: string, scopes: ReflectionJson[] = [], out: Declaration[] = []): Declaration[] {
    const inner = [...scopes, json];
    for (const field of Object.values(json.fields ?? {})) {
      const d = this.resolve(field.type, pkg, inner);
      if (d) out.push(d);
    }
    for (const child of Object.values(json.nested ?? {})) this.references(child, pkg, inner, out);
    return out;
  }

  /** `start` and every declaration it reaches, as one protobufjs root. */
  rootOf(start: readonly Declaration[]): protobuf.Root {
    const keep = new Map<string, Declaration>();
    const queue = [...start];
    for (let d = queue.shift(); d !== undefined; d = queue.shift()) {
      const key = `${d.pkg}.${d.name}`;
      if (keep.has(key)) continue;
      keep.set(key, d);
      queue.push(...this.references(this.packages.get(d.pkg)![d.name]!, d.pkg));
    }
    const tree: ReflectionJson = {};
    for (const { pkg, name } of keep.values()) {
      let at = tree;
      for (const part of pkg === '' ? [] : pkg.split('.')) at = (at.nested ??= {})[part] ??= {};
      (at.nested ??= {})[name] = this.packages.get(pkg)![name]!;
    }
    return protobuf.Root.fromJSON(tree);
  }

  /** A service's methods, by name. */
  methodsOf(fullName: string): NonNullable<ReflectionJson['methods']> {
    const d = this.declarationOf(fullName);
    const json = d && d.type === `${d.pkg ? `${d.pkg}.` : ''}${d.name}` ? this.packages.get(d.pkg)![d.name]! : undefined;
    if (json === undefined) throw new Error(`proto: no ${fullName} among the contracts built from proto/ (run the build)`);
    if (json.methods === undefined) throw new Error(`proto: ${fullName} is not a service of the contracts built from proto/`);
    return json.methods;
  }

  /** The message a method of `service` names. */
  message(service: string, ref: string): Declaration {
    const d = this.resolve(ref, service.slice(0, Math.max(0, service.lastIndexOf('.'))), []);
    if (d === undefined) throw new Error(`proto: ${service}: no message ${ref} among the contracts built from proto/`);
    return d;
  }
}

/** grpc-js's alias for a method (proto-loader's lodash camelCase): `ListContainers` -> `listContainers`, `GetHTTPStatus` -> `getHttpStatus`. */
function camelCase(name: string): string {
  const words = name.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [];
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('');
}

/** A method's two message types, made on its first call: a client pays only for the methods it calls. */
function lazyTypes(contracts: Contracts, service: string, refs: { requestType: string; responseType: string }): () => { request: Type; response: Type } {
  let types: { request: Type; response: Type } | undefined;
  return () => {
    if (types === undefined) {
      const request = contracts.message(service, refs.requestType);
      const response = contracts.message(service, refs.responseType);
      const root = contracts.rootOf([request, response]);
      types = { request: root.lookupType(request.type), response: root.lookupType(response.type) };
    }
    return types;
  };
}

function serializer(type: () => Type): (value: object) => Buffer {
  return (value) => {
    const t = type();
    if (Array.isArray(value)) throw new Error(`Failed to serialize message: expected object with ${t.name} structure, got array instead`);
    return t.encode(t.fromObject(value)).finish() as Buffer;
  };
}

function deserializer(type: () => Type): (bytes: Buffer) => object {
  return (bytes) => {
    const t = type();
    return t.toObject(t.decode(bytes), PROTO_LOADER_OPTIONS);
  };
}

/** The client classes of a descriptor set (protobufjs's JSON form, as tools/gen-proto-types.ts writes it), by service. */
export function serviceClients(descriptorSet: object): (fullName: string) => ServiceClientConstructor {
  const contracts = new Contracts(packagesOf(descriptorSet as ReflectionJson));
  const clients = new Map<string, ServiceClientConstructor>();
  return (fullName) => {
    let client = clients.get(fullName);
    if (client !== undefined) return client;
    const methods: Record<string, MethodDefinition<object, object>> = {};
    for (const [name, m] of Object.entries(contracts.methodsOf(fullName))) {
      const types = lazyTypes(contracts, fullName, m);
      methods[name] = {
        path: `/${fullName}/${name}`,
        requestStream: !!m.requestStream,
        responseStream: !!m.responseStream,
        requestSerialize: serializer(() => types().request),
        requestDeserialize: deserializer(() => types().request),
        responseSerialize: serializer(() => types().response),
        responseDeserialize: deserializer(() => types().response),
        originalName: camelCase(name),
      };
    }
    client = makeClientConstructor(methods, fullName.slice(fullName.lastIndexOf('.') + 1), {});
    clients.set(fullName, client);
    return client;
  };
}

let contractClients: ((fullName: string) => ServiceClientConstructor) | undefined;

/**
 * The client class of one service of the contracts built from proto/, by its full name:
 * `new (serviceClient('tsrun.engine.v1.ContainerService'))(target, creds)` is the client that
 * `loadProto(...).tsrun.engine.v1.ContainerService` makes, with the same methods (and their camelCase aliases).
 */
export function serviceClient(fullName: string): ServiceClientConstructor {
  contractClients ??= serviceClients(DESCRIPTOR_SET);
  return contractClients(fullName);
}
