import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/resolve-config.js';
import type { Account } from '../config/types.js';
import { canPublish, canReceive, canSubscribe, clientIdAllowed, compileAcl } from './acl.js';

const HASH = 'scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==';

const config = resolveConfig({
  listeners: {},
  anonymous: { deny: ['private/#', 'gerrit/secret-project/#'] },
  accounts: {
    gerrit: { password: HASH, write: ['gerrit/#'] },
    zuul: { password: HASH, write: ['zuul/#'], read: ['private/zuul/#'] },
    'gerrit-replica': { password: HASH, write: ['gerrit/#'] },
    ops: { password: HASH, clientIds: ['dashboard', 'ops-console-*'] },
  },
});
const gerrit = config.accounts.gerrit!;
const zuul = config.accounts.zuul!;
const replica = config.accounts['gerrit-replica']!;
const ops = config.accounts.ops!;
const anon = undefined;

describe('canPublish', () => {
  it.each<[string, Account | undefined, string, boolean]>([
    ['anonymous, anywhere', anon, 'gerrit/nova/comment-added', false],
    ['gerrit under its prefix', gerrit, 'gerrit/openstack/nova/comment-added', true],
    ['gerrit at the bare prefix', gerrit, 'gerrit', true],
    ['gerrit under zuul/', gerrit, 'zuul/t/p/x/master/1', false],
    ['zuul under gerrit/', zuul, 'gerrit/nova/comment-added', false],
    ['gerrit to $SYS', gerrit, '$SYS/broker/uptime', false],
    ['gerrit to $firehose', gerrit, '$firehose/catalogue/x', false],
    ['gerrit to another $ topic', gerrit, '$share/x', false],
    ['a prefix lookalike', gerrit, 'gerrits/x', false],
  ])('%s', (_, account, topic, expected) => {
    expect(canPublish(account, topic, config)).toBe(expected);
  });

  it('anonymous.write grants anonymous clients and accounts, but never $ topics', () => {
    const open = resolveConfig({ listeners: {}, anonymous: { write: ['sandbox/#', '#'] } });
    expect(canPublish(undefined, 'sandbox/x', open)).toBe(true);
    expect(canPublish(undefined, '$SYS/x', open)).toBe(false);
    expect(canPublish(undefined, '$firehose/invalid/gerrit', open)).toBe(false);
  });
});

describe('canSubscribe', () => {
  it.each<[string, Account | undefined, string, boolean]>([
    ['anonymous #', anon, '#', true],
    ['anonymous gerrit/#', anon, 'gerrit/#', true],
    ['anonymous $SYS/#', anon, '$SYS/#', true],
    ['anonymous $firehose/catalogue/#', anon, '$firehose/catalogue/#', true],
    ['anonymous inside a denied prefix', anon, 'private/#', false],
    ['anonymous on one denied topic', anon, 'private/x', false],
    ['anonymous on a denied sub-prefix', anon, 'gerrit/secret-project/#', false],
    ['anonymous +/# overlaps deny but is allowed (filtered per message)', anon, '+/#', true],
    ['anonymous on aedes client-id topics', anon, '$SYS/+/new/clients', false],
    ['anonymous on one broker’s client-id topics', anon, '$SYS/abc/new/#', false],
    ['zuul inside its read prefix', zuul, 'private/zuul/#', true],
    ['zuul outside its read prefix but denied', zuul, 'private/other', false],
    ['gerrit gets anonymous rights', gerrit, 'zuul/#', true],
  ])('%s', (_, account, filter, expected) => {
    expect(canSubscribe(account, filter, config)).toBe(expected);
  });

  it('$SYS and $firehose are readable only when configured', () => {
    const closed = resolveConfig({ listeners: {}, anonymous: { read: ['#'] } });
    expect(canSubscribe(undefined, '#', closed)).toBe(true);
    expect(canSubscribe(undefined, '$SYS/#', closed)).toBe(false);
    expect(canSubscribe(undefined, '$firehose/catalogue/#', closed)).toBe(false);
    expect(canSubscribe(undefined, '+/broker/uptime', closed)).toBe(true);
    const narrow = resolveConfig({ listeners: {}, anonymous: { read: ['gerrit/#'] } });
    expect(canSubscribe(undefined, 'gerrit/+/comment-added', narrow)).toBe(true);
    expect(canSubscribe(undefined, '#', narrow)).toBe(false);
    expect(canSubscribe(undefined, '+/x', narrow)).toBe(false);
  });
});

describe('canReceive (per delivered message)', () => {
  it.each<[string, Account | undefined, string, boolean]>([
    ['anonymous, ordinary topic', anon, 'gerrit/nova/comment-added', true],
    ['anonymous, denied prefix (a # subscriber)', anon, 'private/x/y', false],
    ['anonymous, denied bare prefix', anon, 'private', false],
    ['anonymous, denied sub-prefix', anon, 'gerrit/secret-project/ref-updated', false],
    ['anonymous, $SYS statistics', anon, '$SYS/broker/clients/connected', true],
    ['anonymous, aedes new/clients', anon, '$SYS/Xk3/new/clients', false],
    ['anonymous, aedes new/subscribes', anon, '$SYS/Xk3/new/subscribes', false],
    ['anonymous, aedes new/unsubscribes', anon, '$SYS/Xk3/new/unsubscribes', false],
    ['anonymous, aedes disconnect/clients', anon, '$SYS/Xk3/disconnect/clients', false],
    ['anonymous, aedes heartbeat', anon, '$SYS/Xk3/heartbeat', true],
    ['anonymous, $firehose catalogue', anon, '$firehose/catalogue/gerrit', true],
    ['gerrit account, denied prefix', gerrit, 'private/x', false],
    ['zuul account, its read prefix lifts deny', zuul, 'private/zuul/job', true],
    ['zuul account, other denied topic', zuul, 'private/other', false],
  ])('%s', (_, account, topic, expected) => {
    expect(canReceive(account, topic, config)).toBe(expected);
  });

  it('needsReceiveCheck is false only where canReceive can never drop', () => {
    const acl = compileAcl(config);
    expect(acl.needsReceiveCheck(undefined, 'gerrit/nova/#')).toBe(false);
    expect(acl.needsReceiveCheck(undefined, '#')).toBe(true);
    expect(acl.needsReceiveCheck(undefined, '$SYS/#')).toBe(true);
    expect(acl.needsReceiveCheck(undefined, '$SYS/broker/#')).toBe(true); // a broker id may be 'broker'
    expect(acl.needsReceiveCheck(undefined, '$SYS/broker/clients/#')).toBe(false);
    expect(acl.needsReceiveCheck(zuul, 'private/zuul/#')).toBe(false);
  });
});

describe('invalid details ($firehose/invalid-detail/...)', () => {
  const withDetails = (details: { readers?: string[]; publisher?: boolean }) =>
    resolveConfig({
      listeners: {},
      // Even a config that opens everything to anonymous and lets gerrit read all of $firehose.
      anonymous: { read: ['#', '$SYS/#', '$firehose/#', '$firehose/invalid-detail/#'] },
      accounts: {
        gerrit: { password: HASH, write: ['gerrit/#'], read: ['$firehose/#'] },
        zuul: { password: HASH, write: ['zuul/#'] },
        ops: { password: HASH },
        '-': { password: HASH },
      },
      validation: { details },
    });
  const topic = '$firehose/invalid-detail/gerrit/gerrit';

  it('nobody reads them by default, whatever anonymous.read or an account read says', () => {
    const acl = compileAcl(withDetails({}));
    const accounts = withDetails({}).accounts;
    for (const account of [anon, accounts.gerrit, accounts.ops]) {
      expect(acl.canReceive(account, topic)).toBe(false);
      expect(acl.canSubscribe(account, '$firehose/invalid-detail/#')).toBe(false);
      expect(acl.canSubscribe(account, topic)).toBe(false);
      // `$firehose/#` stays allowed (the catalogue, the public records); the details are dropped per message.
      expect(acl.canSubscribe(account, '$firehose/#')).toBe(true);
      expect(acl.needsReceiveCheck(account, '$firehose/#')).toBe(true);
      expect(acl.needsReceiveCheck(account, '$firehose/+/gerrit/#')).toBe(true);
    }
    expect(acl.canReceive(anon, '$firehose/invalid/gerrit')).toBe(true);
  });

  it('readers read every service and publisher; anonymous clients never', () => {
    const config = withDetails({ readers: ['ops'] });
    const acl = compileAcl(config);
    expect(acl.canSubscribe(config.accounts.ops, '$firehose/invalid-detail/#')).toBe(true);
    expect(acl.canReceive(config.accounts.ops, '$firehose/invalid-detail/zuul/zuul')).toBe(true);
    // Checked per message even for a reader: a reload may take the right away.
    expect(acl.needsReceiveCheck(config.accounts.ops, '$firehose/invalid-detail/#')).toBe(true);
    expect(acl.canReceive(anon, '$firehose/invalid-detail/zuul/zuul')).toBe(false);
    expect(acl.canSubscribe(anon, '$firehose/invalid-detail/#')).toBe(false);
    expect(acl.canReceive(config.accounts.gerrit, topic)).toBe(false);
  });

  it('with publisher: true an account reads its own refusals only', () => {
    const config = withDetails({ publisher: true });
    const acl = compileAcl(config);
    const { gerrit: own, zuul: other } = config.accounts;
    expect(acl.canSubscribe(own, '$firehose/invalid-detail/#')).toBe(true);
    expect(acl.needsReceiveCheck(own, '$firehose/invalid-detail/#')).toBe(true);
    expect(acl.canReceive(own, topic)).toBe(true);
    expect(acl.canReceive(own, '$firehose/invalid-detail/zuul/gerrit')).toBe(true);
    expect(acl.canReceive(other, topic)).toBe(false);
    expect(acl.canReceive(own, '$firehose/invalid-detail/gerrit/gerrit/x')).toBe(false);
    expect(acl.canReceive(anon, topic)).toBe(false);
    expect(acl.canSubscribe(anon, '$firehose/invalid-detail/#')).toBe(false);
    // Anonymous publishers' records are `-`; an account named `-` is `%2D`, so it cannot read them.
    expect(acl.canReceive(config.accounts['-'], '$firehose/invalid-detail/gerrit/-')).toBe(false);
    expect(acl.canReceive(config.accounts['-'], '$firehose/invalid-detail/gerrit/%2D')).toBe(true);
  });

  it('a config without validation (a hand-made AclConfig) reads as "nobody"', () => {
    const acl = compileAcl({ anonymous: { read: ['$firehose/#'], write: [], deny: [] }, accounts: {} });
    expect(acl.canReceive(anon, topic)).toBe(false);
  });
});

describe('client-id reservation', () => {
  it.each<[string, string, Account | undefined, boolean]>([
    ['the account itself', 'gerrit', gerrit, true],
    ['the account with a suffix', 'gerrit-1', gerrit, true],
    ['the account with a path', 'gerrit/publisher', gerrit, true],
    ['anonymous taking the account name', 'gerrit', anon, false],
    ['anonymous taking gerrit-…', 'gerrit-1', anon, false],
    ['another account taking it', 'gerrit/publisher', zuul, false],
    ['an unreserved id', 'my-bot-1', anon, true],
    ['a lookalike that is not reserved', 'gerrits', anon, true],
    ['longest prefix wins: gerrit-replica-1 belongs to gerrit-replica', 'gerrit-replica-1', replica, true],
    ['…not to gerrit', 'gerrit-replica-1', gerrit, false],
    ['custom exact id', 'dashboard', ops, true],
    ['custom exact id, someone else', 'dashboard', anon, false],
    ['custom prefix', 'ops-console-7', anon, false],
    ['custom list replaces the defaults', 'ops', anon, true],
    ['empty id (broker-assigned)', '', anon, true],
  ])('%s', (_, clientId, account, expected) => {
    expect(clientIdAllowed(clientId, account, config)).toBe(expected);
  });
});
