import { readFileSync } from 'node:fs';

/** Reads the PEM file given with `--ca`; the error names the file and the reason. */
export function readCaFile(path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (cause) {
    throw new Error(`cannot read the CA file ${path}: ${(cause as Error).message}`, { cause });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`the CA file ${path} holds no PEM certificate`);
  return pem;
}

/** Node's codes for a server certificate that could not be verified. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);
const OTHER_CERTIFICATE_PROBLEMS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_REVOKED']);

/**
 * A readable explanation when `error` is a failed verification of the hub's TLS certificate, else
 * undefined. Verification is never switched off: the fix is the right CA (`--ca`) or certificate.
 */
export function certificateProblem(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (UNTRUSTED.has(code)) {
    return `the hub's TLS certificate is not signed by a trusted CA (${code}): pass --ca FILE with the CA certificate that signed it`;
  }
  if (OTHER_CERTIFICATE_PROBLEMS.has(code)) {
    return `the hub's TLS certificate was refused (${code}): ${(error as Error).message}`;
  }
  return undefined;
}
