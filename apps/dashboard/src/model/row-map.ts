/** A visible line of the list: a stream row, or one event of an expanded burst under it. */
export interface RowRef {
  /** Position of the stream row, newest first. */
  readonly position: number;
  /** Index of the event inside an expanded burst (newest first), or undefined for the row itself. */
  readonly child: number | undefined;
}

/** An expanded burst: its position (newest first) and how many child lines it adds. */
export interface Expansion {
  readonly position: number;
  readonly children: number;
}

/**
 * Maps line numbers of the virtual list to rows when a few bursts are expanded in place.
 * Cost is O(expanded bursts) per lookup, independent of how many rows are retained.
 */
export class RowMap {
  readonly #expansions: Expansion[];
  readonly total: number;

  constructor(rowCount: number, expansions: readonly Expansion[]) {
    this.#expansions = expansions
      .filter(
        (expansion) => expansion.position >= 0 && expansion.position < rowCount && expansion.children > 0,
      )
      .sort((a, b) => a.position - b.position);
    this.total = rowCount + this.#expansions.reduce((sum, expansion) => sum + expansion.children, 0);
  }

  /** What line `line` (0 = top) shows, or undefined past the end. */
  at(line: number): RowRef | undefined {
    if (line < 0 || line >= this.total) return undefined;
    let extra = 0; // child lines above the current candidate row
    for (const expansion of this.#expansions) {
      const rowLine = expansion.position + extra;
      if (line <= rowLine) break;
      if (line <= rowLine + expansion.children)
        return { position: expansion.position, child: line - rowLine - 1 };
      extra += expansion.children;
    }
    return { position: line - extra, child: undefined };
  }

  /** The line at which row `position` is drawn. */
  lineOf(position: number): number {
    let extra = 0;
    for (const expansion of this.#expansions) {
      if (expansion.position >= position) break;
      extra += expansion.children;
    }
    return position + extra;
  }
}
