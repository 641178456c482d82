// The inputs (and text outputs) of this kernel session, for history_request: tail, range and
// search, as IPython's history manager answers them. Kept in memory: a restarted kernel starts
// a new history, which is what a notebook frontend expects.

export interface HistoryEntry {
  line: number;
  input: string;
  output: string | null;
}

/** IPython numbers sessions from 1; this kernel only has the current one. */
export const SESSION = 1;

export type HistoryItem = [number, number, string | [string, string | null]];

export interface HistoryQuery {
  hist_access_type?: unknown;
  output?: unknown;
  session?: unknown;
  start?: unknown;
  stop?: unknown;
  n?: unknown;
  pattern?: unknown;
  unique?: unknown;
}

/** A shell glob ("*", "?") as a RegExp over the whole input. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${escaped}$`);
}

const num = (x: unknown, fallback: number) => (typeof x === "number" && Number.isFinite(x) ? x : fallback);

export class History {
  private readonly entries: HistoryEntry[] = [];

  add(line: number, input: string): HistoryEntry {
    const entry = { line, input, output: null };
    this.entries.push(entry);
    return entry;
  }

  query(q: HistoryQuery): HistoryItem[] {
    let found: HistoryEntry[];
    switch (q.hist_access_type) {
      case "tail":
        found = this.entries.slice(-Math.max(0, num(q.n, 10)));
        break;
      case "range": {
        // Session 0 and negative sessions mean "relative to the current one" in IPython.
        const session = num(q.session, 0);
        if (session > 0 && session !== SESSION) return [];
        const start = num(q.start, 1);
        const stop = num(q.stop, Infinity);
        found = this.entries.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case "search": {
        const re = globToRegExp(typeof q.pattern === "string" ? q.pattern : "*");
        found = this.entries.filter((e) => re.test(e.input));
        if (q.unique === true) {
          const seen = new Set<string>();
          found = found.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
        }
        if (typeof q.n === "number") found = found.slice(-q.n);
        break;
      }
      default:
        return [];
    }
    return found.map((e) => [SESSION, e.line, q.output === true ? [e.input, e.output] : e.input]);
  }
}
