"""Runs the schemathesis CLI (tests/contract/run.sh), with one repair.

CPython 3.11.7, the machine's Python, can fail `ast.parse` of a large file from deep in a call
stack with "SystemError: AST constructor recursion depth mismatch" (fixed in later 3.11
releases). Hypothesis parses source files only to describe a filter's lambda in a strategy's
repr, and schemathesis's coverage phase then aborts the operation it was testing. A lambda
that cannot be described is named plainly instead; nothing that is tested changes.
"""

import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources.lambda_description


def _lambda_description(f):
    try:
        return _describe(f)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _lambda_description

from schemathesis.cli import schemathesis  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "st"
    sys.exit(schemathesis())
