// Running a whole container in the foreground and waiting for states.
import { type Bundle, makeBundle, type Spec } from './bundle.ts';
import { rt, type RunResult, state } from './runtime.ts';

/** `run` a container in the foreground from a private bundle, then remove the bundle. */
export function runContainer(args: string[], edit?: (config: Spec, dir: string) => void): RunResult & { bundle: Bundle } {
  const bundle = makeBundle(args, edit);
  try {
    const r = rt(['run', '--bundle', bundle.dir, bundle.id]);
    return { ...r, bundle };
  } finally {
    bundle.remove();
  }
}

export async function waitForStatus(id: string, status: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = state(id).status;
    if (last === status) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`container ${id}: status stayed ${last}, wanted ${status}`);
}
