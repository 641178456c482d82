"""A small notebook executed by nbclient (what nbconvert --execute and papermill use) with the
real tsdl kernel; asserts the saved outputs."""

import nbformat
from nbclient import NotebookClient

CELLS = [
    "const x = tensor([[1, 2], [3, 4]]);\nx",
    'console.log("sum", await x.sum().item());',
    "const w = tensor([[1, 2, 3]]);\nconst y = x.matmul(w);",
    "x.shape",
    'display(x.mul(10));\ndisplay.html("<b>done</b>");',
]


def run_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "tsdl", "display_name": "TypeScript (tsdl)", "language": "typescript"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    NotebookClient(nb, kernel_name="tsdl", allow_errors=True, timeout=120).execute()
    nbformat.validate(nb)
    return nb


def test_notebook_outputs():
    nb = run_notebook()
    c0, c1, c2, c3, c4 = nb.cells

    assert [c.execution_count for c in nb.cells] == [1, 2, 3, 4, 5]

    (result,) = c0.outputs
    assert result.output_type == "execute_result"
    assert result.data["text/plain"] == "tensor([[1, 2],\n        [3, 4]], shape=[2, 2], dtype=int32, device=cpu)"
    assert result.data["application/vnd.tsdl.tensor+json"]["values"] == [[1, 2], [3, 4]]

    (stream,) = c1.outputs
    assert (stream.output_type, stream.name, stream.text) == ("stream", "stdout", "sum 10\n")

    kinds = [o.output_type for o in c2.outputs]
    assert kinds == ["display_data", "error"]
    err = c2.outputs[1]
    assert err.ename == "ShapeError"
    assert err.evalue == "cannot matmul x (shape [2, 2]) with w (shape [1, 3])"
    assert err.traceback[0] == "ShapeError: cannot matmul x (shape [2, 2]) with w (shape [1, 3])"
    assert err.traceback[1] == "  cell 3, line 2:  const y = x.matmul(w);"
    assert err.traceback[3] == "  matmul needs x's last dim (2) to equal w's second-to-last dim (1)."
    rich = c2.outputs[0].data["application/vnd.tsdl.shape-error+json"]
    assert [o["expr"] for o in rich["operands"]] == ["x", "w"]

    # The cell right after an error runs (tslab aborted it within 200 ms of the failure).
    (shape,) = c3.outputs
    assert shape.data["text/plain"] == "[ 2, 2 ]"

    assert [o.output_type for o in c4.outputs] == ["display_data", "display_data"]
    assert c4.outputs[0].data["application/vnd.tsdl.tensor+json"]["values"] == [[10, 20], [30, 40]]
    assert c4.outputs[1].data["text/html"] == "<b>done</b>"
