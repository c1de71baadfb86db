/**
 * The files a container's /etc/hosts, /etc/hostname and /etc/resolv.conf are
 * bind-mounted from, in its directory: written at create, and rewritten in
 * place (so the mounts see them) once its network endpoint is known.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeEtcFiles(dir: string, hostname: string, hostNetwork: boolean, hostResolvConf = '/etc/resolv.conf'): void {
  writeFileSync(join(dir, 'hostname'), `${hostname}\n`);
  if (hostNetwork) copyFileSync('/etc/hosts', join(dir, 'hosts'));
  else writeFileSync(join(dir, 'hosts'), '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  let resolv = '';
  try {
    resolv = readFileSync(hostResolvConf, 'utf8');
  } catch {
    // no resolver configured on the host: an empty file, as Docker leaves it
  }
  writeFileSync(join(dir, 'resolv.conf'), resolv);
}

/** Copies the network manager's hosts and resolv.conf over the container's; returns the files it could not copy, with why. */
export function copyNetworkFiles(dir: string, filesDir: string): Array<{ file: string; error: string }> {
  const failed: Array<{ file: string; error: string }> = [];
  for (const file of ['hosts', 'resolv.conf']) {
    try {
      writeFileSync(join(dir, file), readFileSync(join(filesDir, file)));
    } catch (err) {
      failed.push({ file, error: String(err) });
    }
  }
  return failed;
}
