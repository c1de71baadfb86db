// A warm client of Docker's HTTP API on its unix socket (node:http, kept-alive
// connections): the calls programs make, with no CLI in the loop.
import { Agent, request } from 'node:http';

export class DockerApi {
  readonly #socket: string;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: Infinity });

  constructor(socket: string) {
    this.#socket = socket;
  }

  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request({
        socketPath: this.#socket, agent: this.#agent, method, path,
        headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new Error(`docker API ${method} ${path}: ${status} ${text.trim()}`));
          else resolve({ status, json: text ? JSON.parse(text) : undefined });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  async create(body: Record<string, unknown>): Promise<string> {
    return ((await this.call('POST', '/containers/create', body)).json as { Id: string }).Id;
  }

  async start(id: string): Promise<void> {
    await this.call('POST', `/containers/${id}/start`);
  }

  /** condition: not-running (default), next-exit, removed */
  async wait(id: string, condition = 'not-running'): Promise<number> {
    return ((await this.call('POST', `/containers/${id}/wait?condition=${condition}`)).json as { StatusCode: number }).StatusCode;
  }

  async remove(id: string, force = false): Promise<void> {
    await this.call('DELETE', `/containers/${id}?force=${force ? 1 : 0}`);
  }

  async list(all = true): Promise<{ Id: string }[]> {
    return (await this.call('GET', `/containers/json?all=${all ? 1 : 0}`)).json as { Id: string }[];
  }

  close(): void {
    this.#agent.destroy();
  }
}
