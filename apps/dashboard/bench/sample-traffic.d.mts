export interface SampleMessage {
  readonly account: 'gerrit' | 'zuul' | 'launchpad' | 'ansible' | 'gearman';
  readonly topic: string;
  readonly data: Record<string, unknown>;
}

export function sampleTraffic(seed?: number): Generator<SampleMessage, never, undefined>;

export const sampleAccounts: Record<SampleMessage['account'], string[]>;
