// CSV files as tensors: data.readCsv(path) / data.parseCsv(text) give a table whose numeric
// columns become float32 and whose text columns become int32 category codes (in sorted order,
// as scikit-learn's LabelEncoder), with empty numeric cells as NaN. In a notebook the table shows
// its first rows, as a pandas DataFrame does.

import { readFileSync } from "node:fs";
import type { Tensor } from "../tensor";
import { fromHost } from "../creation";
import { InputError } from "../errors";
import { displaySymbol, escapeHtml, type MimeBundle } from "../display/sink";

export interface CsvOptions {
  /** The first line names the columns (default true; otherwise they are named "0", "1", ...). */
  header?: boolean;
  /** The separator: default the first of ",", ";" and tab that the first line contains. */
  delimiter?: string;
}

/** Splits CSV text into rows of cells: quoted cells may hold delimiters, newlines and "" for ". */
function cells(text: string, delim: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === delim) row.push(cell), (cell = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      (row = []), (cell = "");
    } else cell += ch;
  }
  if (quoted) throw new InputError("parseCsv: a quoted cell is never closed (a \" without its partner)");
  if (cell !== "" || row.length) row.push(cell), rows.push(row);
  // Blank lines (a trailing newline, say) are not rows.
  return rows.filter((r) => !(r.length === 1 && r[0].trim() === ""));
}

export class CsvTable {
  readonly rows: number;
  /** The category names of each text column; a cell's code is its name's index here. */
  readonly categories: Record<string, string[]> = {};
  /** Empty cells per numeric column (they read as NaN). */
  readonly missing: Record<string, number> = {};
  private readonly values = new Map<string, Float32Array | Int32Array>();

  constructor(
    readonly columns: string[],
    body: string[][],
  ) {
    this.rows = body.length;
    columns.forEach((name, j) => {
      const raw = body.map((r) => r[j].trim());
      const numeric = raw.every((v) => v === "" || Number.isFinite(Number(v)) || /^[+-]?(nan|inf(inity)?)$/i.test(v));
      if (numeric) {
        const col = Float32Array.from(raw, (v) => (v === "" || /nan/i.test(v) ? NaN : /inf/i.test(v) ? (v.startsWith("-") ? -Infinity : Infinity) : Number(v)));
        const empty = raw.filter((v) => v === "").length;
        if (empty) this.missing[name] = empty;
        this.values.set(name, col);
      } else {
        const names = [...new Set(raw)].sort();
        const code = new Map(names.map((n, i) => [n, i]));
        this.categories[name] = names;
        this.values.set(name, Int32Array.from(raw, (v) => code.get(v)!));
      }
    });
  }

  private get(name: string): Float32Array | Int32Array {
    const v = this.values.get(name);
    if (!v) throw new InputError(`CSV table: no column named ${JSON.stringify(name)}; the columns are ${this.columns.map((c) => JSON.stringify(c)).join(", ")}`);
    return v;
  }

  /** One column: float32 for numbers, int32 category codes for text (see categories). */
  column(name: string): Tensor {
    const v = this.get(name);
    return fromHost(v.slice(), [this.rows], v instanceof Int32Array ? "int32" : "float32");
  }

  /** Columns side by side as [rows, k] float32 (default: every column; text columns as their codes). */
  tensor(names: string[] = this.columns): Tensor {
    const cols = names.map((n) => this.get(n));
    const out = new Float32Array(this.rows * cols.length);
    cols.forEach((c, j) => c.forEach((v, i) => (out[i * cols.length + j] = v)));
    return fromHost(out, [this.rows, cols.length], "float32");
  }

  [displaySymbol](): MimeBundle {
    const shown = Math.min(this.rows, 5);
    const cell = (name: string, i: number) => {
      const v = this.get(name)[i];
      return this.categories[name] ? this.categories[name][v] : String(Number(v.toPrecision(6)));
    };
    const head = `<tr><th></th>${this.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("")}</tr>`;
    const body = Array.from({ length: shown }, (_, i) => `<tr><th>${i}</th>${this.columns.map((c) => `<td>${escapeHtml(cell(c, i))}</td>`).join("")}</tr>`);
    const size = `${this.rows} rows × ${this.columns.length} columns`;
    const text = [this.columns.join("  "), ...Array.from({ length: shown }, (_, i) => this.columns.map((c) => cell(c, i)).join("  "))];
    return {
      "text/html": `<table class="tsdl-csv"><thead>${head}</thead><tbody>${body.join("")}</tbody></table><div>${size}</div>`,
      "text/plain": `${text.join("\n")}\n${this.rows > shown ? "...\n" : ""}${size}`,
    };
  }
}

/** A table from CSV text (see readCsv). */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  if (typeof text !== "string") throw new InputError(`parseCsv: expected the CSV text as a string, got ${typeof text}`);
  const firstLine = text.split(/\r?\n/, 1)[0] ?? "";
  const delim = options.delimiter ?? ([",", ";", "\t"].find((d) => firstLine.includes(d)) ?? ",");
  const rows = cells(text, delim);
  if (!rows.length) throw new InputError("parseCsv: the text has no rows");
  const header = options.header ?? true;
  const columns = header ? rows[0].map((c) => c.trim()) : rows[0].map((_, j) => String(j));
  const body = header ? rows.slice(1) : rows;
  body.forEach((r, i) => {
    if (r.length !== columns.length) {
      const line = i + (header ? 2 : 1);
      throw new InputError(`parseCsv: row ${line} has ${r.length} cells but the ${header ? "header has" : "first row has"} ${columns.length}; every row needs one cell per column`);
    }
  });
  return new CsvTable(columns, body);
}

/** Reads a CSV file: data.readCsv("penguins.csv").tensor(["bill_length_mm", "body_mass_g"]). */
export function readCsv(path: string, options: CsvOptions = {}): CsvTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(`readCsv: cannot read ${JSON.stringify(path)} (${(e as Error).message}); paths are relative to the notebook's folder (${process.cwd()})`);
  }
  return parseCsv(text, options);
}
