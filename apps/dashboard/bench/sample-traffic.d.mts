export interface SampleMessage {
  readonly account: 'gerrit' | 'zuul' | 'launchpad';
  readonly topic: string;
  readonly data: Record<string, unknown>;
}

export function sampleTraffic(seed?: number): Generator<SampleMessage, never, undefined>;

export const sampleAccounts: Record<'gerrit' | 'zuul' | 'launchpad', string[]>;
