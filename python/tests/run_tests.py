"""Runs the package's unittest suites for ``npm test``: ``python3 python/tests/run_tests.py unit|integration``.

Prints the usual unittest output on stderr, and on stdout one JSON line per test
(``{"test", "outcome": "passed"|"failed"|"skipped", "message"}``) for the node:test wrapper under test/, which reports
each as its own test so that the suite's summary counts them. Exit code 0 only when every test passed.
"""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package folder (python/)


class _Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        unittest.TextTestResult.__init__(self, *args, **kwargs)
        self.records = []

    def _record(self, test, outcome, message=""):
        self.records.append({"test": test.id(), "outcome": outcome, "message": message})

    def addSuccess(self, test):
        unittest.TextTestResult.addSuccess(self, test)
        self._record(test, "passed")

    def addFailure(self, test, err):
        unittest.TextTestResult.addFailure(self, test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        unittest.TextTestResult.addError(self, test, err)
        self._record(test, "failed", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        unittest.TextTestResult.addSkip(self, test, reason)
        self._record(test, "skipped", reason)

    def addUnexpectedSuccess(self, test):
        unittest.TextTestResult.addUnexpectedSuccess(self, test)
        self._record(test, "failed", "unexpected success")


def main(argv):
    suite_name = argv[1] if len(argv) > 1 else "unit"
    pattern = argv[2] if len(argv) > 2 else "test*.py"
    loader = unittest.TestLoader()
    suite = loader.discover(os.path.join(HERE, suite_name), pattern=pattern, top_level_dir=HERE)
    runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2, resultclass=_Recorder)
    result = runner.run(suite)
    for record in result.records:
        sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
