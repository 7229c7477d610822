import { accountName, pick, text } from './data-access.js';

export interface GerritVote {
  /** Label name, e.g. Code-Review. */
  readonly label: string;
  /** Signed value with a real minus sign: "+2", "−1", "0". */
  readonly value: string;
  readonly sign: 'positive' | 'negative' | 'zero';
  /** Whether this event changed the vote (Gerrit sends oldValue then). */
  readonly changed: boolean;
}

/** The parts of a Gerrit stream event a row shows. */
export interface GerritFields {
  readonly change: string | undefined;
  readonly changeUrl: string | undefined;
  readonly subject: string | undefined;
  readonly project: string | undefined;
  readonly branch: string | undefined;
  readonly owner: string | undefined;
  readonly patchSet: string | undefined;
  readonly votes: readonly GerritVote[];
  /** Ref name for ref-updated events. */
  readonly ref: string | undefined;
}

export function gerritFields(data: unknown): GerritFields {
  const change = pick(data, 'change');
  const approvals = pick(data, 'approvals');
  const votes: GerritVote[] = [];
  if (Array.isArray(approvals)) {
    for (const approval of approvals) {
      const label = text(pick(approval, 'type'));
      const raw = text(pick(approval, 'value'));
      if (!label || raw === undefined) continue;
      const oldValue = text(pick(approval, 'oldValue'));
      votes.push({ label, ...signedVote(raw), changed: oldValue !== undefined && oldValue !== raw });
    }
  }
  return {
    change: text(pick(change, 'number')),
    changeUrl: text(pick(change, 'url')),
    subject: text(pick(change, 'subject')),
    project:
      text(pick(change, 'project')) ??
      text(pick(data, 'refUpdate', 'project')) ??
      text(pick(data, 'projectName')),
    branch: text(pick(change, 'branch')),
    owner: accountName(pick(change, 'owner')),
    patchSet: text(pick(data, 'patchSet', 'number')),
    votes,
    ref: text(pick(data, 'refUpdate', 'refName')),
  };
}

/** "2" → "+2", "-1" → "−1" (U+2212, as typography and screen readers expect). */
export function signedVote(raw: string): { value: string; sign: GerritVote['sign'] } {
  const value = Number(raw);
  if (!Number.isFinite(value) || value === 0)
    return { value: raw === '' ? '0' : raw.replace(/^-/, '\u2212'), sign: 'zero' };
  return value > 0
    ? { value: `+${value}`, sign: 'positive' }
    : { value: `\u2212${Math.abs(value)}`, sign: 'negative' };
}
