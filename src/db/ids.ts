import { randomUUID } from 'node:crypto';

export type IdPrefix = 'ten' | 'key' | 'sub' | 'evt' | 'dlv' | 'rcv' | 'prk' | 'aud';

/** Prefixed ids (`sub_3f2a…`) tell what they name in logs, URLs and support tickets. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomUUID().replace(/-/g, '')}`;
}
