// The interfaces this extension shares with the tsdl kernel (see shared/DESIGN.md, "Interfaces
// that must not drift") and the token through which its plugins share per-notebook models.
// Everything here is types and constants, so the unit tests can load it without JupyterLab.

import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { InspectorModel } from './inspector/model';

export const TENSOR_MIME = 'application/vnd.tsdl.tensor+json';
export const SHAPE_ERROR_MIME = 'application/vnd.tsdl.shape-error+json';
export const COMM_TARGET = 'tsdl.inspector';

/** A value as the kernel sends it: numbers, booleans, or strings for NaN/Infinity/int64. */
export type Scalar = number | boolean | string | null;
/** Nested arrays following `shape`; a `null` or "..." entry marks an elided run of values. */
export type NestedValues = Scalar | NestedValues[];

/** The `application/vnd.tsdl.tensor+json` payload. */
export interface ITensorData {
  shape: number[];
  dtype: string;
  device: string;
  values: NestedValues;
  truncated: boolean;
  stats?: { min: number; max: number; mean: number };
}

/** The `application/vnd.tsdl.shape-error+json` payload: core's ShapeErrorDetail plus kernel facts. */
export interface IShapeErrorData {
  op: string;
  operands: { role: string; shape: number[]; dtype: string; expr?: string }[];
  conflict: { operand: number; axis: number }[];
  /** Plain words with {role} placeholders, e.g. "{left}'s last dim must equal ...". */
  rule: string;
  suggestions: { code: string; resultShape: number[] }[];
  /** 1-based line and column of the failing call in the cell, and that line's text. */
  location?: { line: number; column: number; source: string };
}

/** One row of the inspector's variable snapshot; a module has no shape, dtype or device. */
export interface IVariable {
  name: string;
  /** "tensor", "module" or "parameter" (named "module.path.weight"). */
  kind: string;
  shape: number[] | null;
  dtype: string | null;
  device: string | null;
  bytes: number;
  requiresGrad: boolean;
}

export interface IShapeLine {
  /** 1-based line in the cell. */
  line: number;
  name: string;
  shape: number[];
  dtype: string;
}

/** Messages the kernel sends on the `tsdl.inspector` comm. */
export type KernelMessage =
  | {
      type: 'variables';
      variables: IVariable[];
      memory: { bytes: number; buffers: number };
    }
  | { type: 'shapes'; cellId: string; lines: IShapeLine[] }
  | { type: 'preview'; name: string; bundle: Record<string, unknown> };

/** Messages the frontend sends on the `tsdl.inspector` comm. */
export type FrontendMessage = { type: 'refresh' } | { type: 'preview'; name: string };

/** Gives each open notebook's inspector model to the plugins that need it. */
export interface ITsdlModels {
  /** The model of a notebook panel, created when the panel opens. */
  get(panel: NotebookPanel): InspectorModel | undefined;
  /** Calls `fn` for every open notebook's model. */
  forEach(fn: (model: InspectorModel, panel: NotebookPanel) => void): void;
  /** Emitted once per notebook panel, when its model is created. */
  readonly added: ISignal<ITsdlModels, { panel: NotebookPanel; model: InspectorModel }>;
}

export const ITsdlModels = new Token<ITsdlModels>(
  '@tsdl/labextension:ITsdlModels',
  'The tsdl inspector model of each open notebook.'
);
