import { readFile } from 'node:fs/promises';
import { FirehoseError } from '@firehose/protocol';
import type { ServiceAccount } from './publishers.js';

/**
 * Reads the publishers' credentials: `{ "gerrit": { "username": "gerrit", "password": "…" }, … }`.
 * The broker only ever sees scrypt hashes of these (demo/broker.yaml); this file is the client side.
 */
export async function loadAccounts(file: string): Promise<Record<string, ServiceAccount>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `Cannot read the accounts file ${file}; pass --accounts with the path of a JSON file of service credentials.`,
      { cause, path: file },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `The accounts file ${file} is not valid JSON; fix its syntax.`,
      { cause, path: file },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FirehoseError(
      'INVALID_CONFIG',
      `The accounts file ${file} must hold an object keyed by service name.`,
      { path: file },
    );
  }
  const accounts: Record<string, ServiceAccount> = {};
  for (const [service, value] of Object.entries(parsed)) {
    if (service.startsWith('$')) continue; // "$comment" keys document the file
    const { username, password } = (value ?? {}) as Partial<Record<string, unknown>>;
    if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') {
      throw new FirehoseError(
        'INVALID_CONFIG',
        `Account "${service}" in ${file} needs a non-empty "username" and "password".`,
        { path: `${file}#/${service}` },
      );
    }
    accounts[service] = { username, password };
  }
  return accounts;
}
