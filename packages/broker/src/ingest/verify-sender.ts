import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { IngestAuth } from '@firehose/schema';

/** Why a request's signature was refused, as the sentence the sender gets back (never quoting the secret). */
export type SenderRefusal = string;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Equal-length digests compared in constant time, so neither the length nor a prefix of the secret leaks. */
function sameSecret(given: string, secret: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(secret).digest();
  return timingSafeEqual(a, b);
}

/**
 * Checks that a request comes from the declared sender, the way that sender signs: GitHub's
 * HMAC-SHA256 of the raw body (`X-Hub-Signature-256: sha256=<hex>`), GitLab's shared token
 * (`X-Gitlab-Token`), or `Authorization: Bearer <token>`. Returns undefined when it does, else
 * the reason.
 */
export function verifySender(
  auth: IngestAuth,
  secret: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): SenderRefusal | undefined {
  if (auth === 'github-hmac') {
    const signature = header(headers, 'x-hub-signature-256');
    if (signature === undefined) {
      return 'The request has no X-Hub-Signature-256 header; set the webhook secret in GitHub.';
    }
    const expected = createHmac('sha256', secret).update(body).digest();
    const match = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim());
    const given = match === null ? undefined : Buffer.from(match[1]!, 'hex');
    if (given === undefined || !timingSafeEqual(given, expected)) {
      return 'The X-Hub-Signature-256 signature does not match the body; check the webhook secret.';
    }
    return undefined;
  }
  if (auth === 'gitlab-token') {
    const token = header(headers, 'x-gitlab-token');
    if (token === undefined) {
      return 'The request has no X-Gitlab-Token header; set the webhook secret token in GitLab.';
    }
    return sameSecret(token, secret)
      ? undefined
      : 'The X-Gitlab-Token does not match; check the secret token.';
  }
  const authorization = header(headers, 'authorization');
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer === undefined || bearer === null) {
    return 'The request has no "Authorization: Bearer <token>" header.';
  }
  return sameSecret(bearer[1]!, secret) ? undefined : 'The bearer token does not match; check the token.';
}
