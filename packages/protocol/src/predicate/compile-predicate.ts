import { evaluatePredicate, type Predicate } from './evaluator.js';
import { parsePredicate } from './parser.js';

/**
 * Compiles a `where` predicate such as `data.change.branch = master and data.approvals[].value = -2`
 * into a function. The CLI's `--where` and the client's `where` option share this code.
 *
 * Paths resolve against the value passed to the function (for the client: the event envelope plus
 * `topic` and `params`). See the README's "Predicate grammar" for the full syntax.
 *
 * @throws FirehoseError `INVALID_PREDICATE` with the column of the first problem.
 */
export function compilePredicate(source: string): Predicate {
  return evaluatePredicate(parsePredicate(source));
}
