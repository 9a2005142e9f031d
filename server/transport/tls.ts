import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface TlsFiles {
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new Error(`cannot read the TLS ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

/** True when the hub serves HTTPS and WSS itself (resolveHubConfig has checked both files are given). */
export function tlsEnabled(config: TlsFiles): boolean {
  return config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined;
}

/**
 * The hub's server, without a request handler yet: HTTPS (and so WSS) with the configured
 * certificate and key, plain HTTP without. Throws with the file and the reason when a file cannot
 * be read or the key does not belong to the certificate.
 */
export function createHubServer(config: TlsFiles): Server {
  if (!tlsEnabled(config)) return createHttpServer();
  const cert = readPem(config.tlsCertFile!, 'certificate');
  const key = readPem(config.tlsKeyFile!, 'private key');
  try {
    // An https.Server is an http.Server with TLS in front: the upgrade and request events are the same.
    return createHttpsServer({ cert, key, minVersion: 'TLSv1.2' });
  } catch (cause) {
    throw new Error(`cannot use the TLS certificate ${config.tlsCertFile} with the key ${config.tlsKeyFile}: ${(cause as Error).message}`, {
      cause,
    });
  }
}
