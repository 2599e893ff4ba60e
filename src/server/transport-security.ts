// Whether and how the server encrypts its listeners: `--tls-cert`/`--tls-key` make both the control
// plane and the gateway answer HTTPS; a bind to anything but loopback without them is refused (tokens
// and keys would cross the network in clear text) unless `--insecure` says so on purpose, e.g. behind a
// TLS-terminating proxy on a private network.
import { readFile } from 'node:fs/promises';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { SwitchyardError } from '../errors.js';

export interface TlsFiles {
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

/**
 * Reads and checks the certificate and key (PEM), or refuses a non-loopback bind without them.
 * Answers the material for both listeners, or undefined for plain HTTP.
 */
export async function loadTransportSecurity(host: string, o: TlsFiles): Promise<{ cert: string; key: string } | undefined> {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    throw new SwitchyardError('InvalidValue', 'Give both --tls-cert and --tls-key (PEM files), or neither.');
  }
  if (o.tlsCert === undefined || o.tlsKey === undefined) {
    if (!isLoopbackHost(host) && !o.insecure) {
      throw new SwitchyardError('InvalidValue',
        `Refusing to listen on ${host} without TLS: tokens, keys and scoring data would cross the network in clear text. ` +
        'Give --tls-cert and --tls-key, or --insecure when a TLS proxy in front of Switchyard encrypts the traffic (docs/security.md).');
    }
    return undefined;
  }
  const read = async (path: string, what: string): Promise<string> => {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      throw new SwitchyardError('InvalidValue', `Cannot read the TLS ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
    }
  };
  const cert = await read(o.tlsCert, 'certificate');
  const key = await read(o.tlsKey, 'key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new SwitchyardError('InvalidValue', `${o.tlsCert} is not a PEM certificate.`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new SwitchyardError('InvalidValue', `${o.tlsKey} is not a PEM private key (an encrypted key is not supported).`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new SwitchyardError('InvalidValue', `The key ${o.tlsKey} does not belong to the certificate ${o.tlsCert}.`);
  }
  return { cert, key };
}
