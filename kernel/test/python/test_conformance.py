"""The official Jupyter kernel conformance suite (jupyter_kernel_test) against the tsdl kernel.

Every test of the suite applies and runs; none is skipped. (test_pager needs a "page" payload,
which this kernel offers through nothing, so it has no sample: it is the one that does not
apply; pytest reports it as skipped by the suite itself.)"""

import unittest

import jupyter_kernel_test as jkt


class TsdlKernelTests(jkt.KernelTests):
    kernel_name = "tsdl"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("oops")'

    completion_samples = [
        {"text": "const fooBarBaz1 = 1, fooBarBaz2 = 2;\nfooBarB", "matches": {"fooBarBaz1", "fooBarBaz2"}},
        {"text": "Math.flo", "matches": {"floor"}},
        {"text": "[1, 2].fil", "matches": {"fill", "filter"}},
        {"text": "tensor([1]).resha", "matches": {"reshape"}},
    ]

    complete_code_samples = ["1 + 1", "const x = 1;", "function f() { return 1; }", "const t = tensor([1, 2]);"]
    incomplete_code_samples = ["function f() {", "const xs = [1,", "if (true) {"]
    invalid_code_samples = ["1 +* 2 )", "const = 5;"]

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "tensor([1, 2]).shape", "result": "[ 2 ]"},
        {"code": "tensor([[1, 2]])", "mime": "application/vnd.tsdl.tensor+json"},
    ]

    code_display_data = [
        {"code": 'display.html("<b>hi</b>")', "mime": "text/html"},
        {"code": 'display.markdown("*hi*")', "mime": "text/markdown"},
        {"code": 'display.bundle({ "application/vnd.example+json": { a: 1 } })', "mime": "application/vnd.example+json"},
        {"code": "display(tensor([1, 2, 3]))", "mime": "application/vnd.tsdl.tensor+json"},
    ]

    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = 'display.clear()'


class TsdlIopubWelcomeTests(jkt.IopubWelcomeTests):
    kernel_name = "tsdl"
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
