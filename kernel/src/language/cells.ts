// Every cell that ran, by the file name its code ran under, with the maps from that code back
// to the cell's text: what turns a stack frame into "cell 3, line 2".

import { SourceMap, mapThrough } from "./sourcemap";
import type { LazyMaps } from "./tslab";

/** Lines the converter puts before the cell's text ("export {};"), which the maps count. */
const PREFIX_LINES = 1;
const FILE_PATTERN = /tsdl-cell-(\d+)/;

export interface CellRecord {
  id: number;
  filename: string;
  /** The In[n] number, or null for silent executions. */
  executionCount: number | null;
  source: string;
  /** The maps, made and decoded only when an error needs them (most cells never fail). */
  rawMaps: LazyMaps | null;
  decoded?: SourceMap[] | null;
}

/** A position in a cell, one-based like an editor shows it. */
export interface CellLocation {
  cell: CellRecord;
  line: number;
  column: number;
  /** The text of that line. */
  sourceLine: string;
}

export class CellRegistry {
  private readonly cells = new Map<string, CellRecord>();
  private nextId = 1;

  add(source: string, executionCount: number | null, maps: LazyMaps | null): CellRecord {
    const id = this.nextId++;
    const record: CellRecord = {
      id,
      filename: `tsdl-cell-${id}`,
      executionCount,
      source,
      rawMaps: maps,
    };
    this.cells.set(record.filename, record);
    return record;
  }

  static isCellFile(file: string): boolean {
    return FILE_PATTERN.test(file);
  }

  /** Maps a one-based line/column of the code that ran (as in a stack frame) to the cell. */
  locate(filename: string, line: number, column: number): CellLocation | null {
    const cell = this.cells.get(filename);
    if (!cell || !cell.rawMaps) return null;
    if (cell.decoded === undefined) {
      const maps = cell.rawMaps();
      cell.decoded = maps ? maps.map((m) => new SourceMap(m)) : null;
    }
    if (!cell.decoded) return null;
    const pos = mapThrough(cell.decoded, line - 1, column - 1);
    if (!pos) return null;
    return this.at(cell, pos.line - PREFIX_LINES + 1, pos.column + 1);
  }

  /** A location from one-based line/column in the cell's own text. */
  at(cell: CellRecord, line: number, column: number): CellLocation | null {
    const lines = cell.source.split("\n");
    if (line < 1 || line > lines.length) return null;
    return { cell, line, column, sourceLine: lines[line - 1] };
  }
}
