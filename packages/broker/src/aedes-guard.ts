import * as aedes from '@firehose/aedes';
import { FirehoseError } from '@firehose/protocol';

/**
 * The fixes of `@firehose/aedes` this broker relies on (ordered delivery, PUBACK after store,
 * drain-then-live, …; its README lists them). Raised together with `FIREHOSE_FIXES` there.
 */
const REQUIRED_FIXES = 5;

/**
 * Throws when the aedes this process loaded lacks the firehose fixes, say a mis-resolved or
 * hand-replaced dependency: such a broker would run and silently lose acknowledged messages.
 */
export function assertAedesFixes(loaded: { FIREHOSE_FIXES?: unknown } = aedes): void {
  const fixes = loaded.FIREHOSE_FIXES;
  if (typeof fixes === 'number' && fixes >= REQUIRED_FIXES) return;
  throw new FirehoseError(
    'BROKEN_INSTALL',
    `The aedes this broker loaded lacks the firehose fixes (found ${typeof fixes === 'number' ? `revision ${fixes}` : 'none'}, need ${REQUIRED_FIXES}); reinstall @firehose/broker so that it gets its own @firehose/aedes.`,
  );
}
