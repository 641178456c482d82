// The notebooks the UI tests open, written as nbformat 4 JSON. `savedOutputs` carries outputs
// of both tsdl MIME types exactly as the kernel sends them, so the renderers are tested even on
// a python3 kernel; `liveNotebook` has only sources, run against the real tsdl kernel.

const TENSOR = 'application/vnd.tsdl.tensor+json';
const SHAPE_ERROR = 'application/vnd.tsdl.shape-error+json';

function code(source, outputs = []) {
  return { cell_type: 'code', execution_count: null, id: `c${Math.random().toString(36).slice(2, 10)}`, metadata: {}, outputs, source };
}

function notebook(cells, kernelspec) {
  return {
    cells,
    metadata: { kernelspec, language_info: { name: kernelspec.language } },
    nbformat: 4,
    nbformat_minor: 5
  };
}

const python = { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' };
const tsdl = { name: 'tsdl', display_name: 'TypeScript (tsdl)', language: 'typescript' };

/** The matmul shape error of `x.matmul(w)` with x: [2, 3] and w: [4, 3], as the kernel reports it. */
export const matmulError = {
  op: 'matmul',
  operands: [
    { role: 'left', shape: [2, 3], dtype: 'int32', expr: 'x' },
    { role: 'right', shape: [4, 3], dtype: 'float32', expr: 'w' }
  ],
  conflict: [{ operand: 0, axis: 1 }, { operand: 1, axis: 0 }],
  rule: "matmul needs {left}'s last dim (3) to equal {right}'s second-to-last dim (4).",
  suggestions: [{ code: '{left}.matmul({right}.T)', resultShape: [2, 4] }],
  location: { line: 2, column: 11, source: 'const y = x.matmul(w);' }
};

function tensorOutput(shape, dtype, values, extra = {}) {
  return {
    output_type: 'execute_result',
    execution_count: 1,
    metadata: {},
    data: { 'text/plain': `tensor(shape=[${shape.join(', ')}], dtype=${dtype})`, [TENSOR]: { shape, dtype, device: 'cpu', values, truncated: false, ...extra } }
  };
}

// A 12 x 12 ripple: enough cells for the heatmap to show a pattern.
const ripple = Array.from({ length: 12 }, (_, i) =>
  Array.from({ length: 12 }, (_, j) => Math.round(100 * Math.sin(i / 3) * Math.cos(j / 3)) / 100)
);

export function savedOutputs() {
  return notebook(
    [
      code('const x = tensor([[1, 2, 3], [4, 5, 6]]);\nx', [
        tensorOutput([2, 3], 'int32', [[1, 2, 3], [4, 5, 6]], { stats: { min: 1, max: 6, mean: 3.5 } })
      ]),
      code('const w = ones([4, 3]);\nconst y = x.matmul(w);', [
        { output_type: 'display_data', metadata: {}, data: { [SHAPE_ERROR]: matmulError, 'text/plain': '' } },
        {
          output_type: 'error',
          ename: 'ShapeError',
          evalue: 'cannot matmul x (shape [2, 3]) with w (shape [4, 3])',
          traceback: ['ShapeError: cannot matmul x (shape [2, 3]) with w (shape [4, 3])']
        }
      ]),
      code('const r = ripple(12)', [tensorOutput([12, 12], 'float32', ripple)])
    ],
    python
  );
}

export const liveCells = [
  'const x = tensor([[1, 2, 3], [4, 5, 6]]);\nx',
  'const w = ones([4, 3]);\nconst y = x.matmul(w);\ny',
  'const images = rand([4, 8, 8]);\nconst noise = randn([500]);'
];

export function liveNotebook() {
  return notebook(liveCells.map(s => code(s)), tsdl);
}
