import type { SharedGroupStats } from '@firehose/aedes';

/** One `$share` group as anonymous readers may see it: counts only. */
export interface SharedGroupSummary {
  group: string;
  filter: string;
  /** Members connected to this node. */
  members: number;
  /** Deliveries of each member, in joining order; no client ids. */
  memberDeliveries: number[];
  deliveries: number;
  redeliveries: number;
  lost: number;
  /** On a cluster: messages this node owned but had no member left for, handed to other nodes. */
  handedOff: number;
}

/**
 * Member counts, not client ids: anonymous readers see `$SYS` and the catalogue, and a client id
 * would let them take over a persistent session [MQTT-3.1.4-2].
 */
export function summarizeShared(groups: SharedGroupStats[]): SharedGroupSummary[] {
  return groups.map((g) => ({
    group: g.group,
    filter: g.filter,
    members: g.members.length,
    memberDeliveries: g.members.map((m) => m.deliveries),
    deliveries: g.deliveries,
    redeliveries: g.redeliveries,
    lost: g.lost,
    handedOff: g.handedOff,
  }));
}
