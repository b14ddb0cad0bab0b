"""Run checkov once its (slow) import is done: started before synthesis, it waits for argv.

This file is executed by the Python interpreter of checkov's own environment, never imported
by the kit. It imports checkov while the audit synthesizes the app, then reads one line from
stdin, a JSON list of checkov arguments, and runs checkov with them exactly as the
``checkov`` console script does (report on stdout, checkov's exit status). An empty line
means the audit no longer needs it.
"""

import json
import os
import sys
import warnings

# Run as a script, this file's directory (kit/audit) comes first on sys.path; its modules
# (findings, reports, runner...) must not shadow anything checkov imports.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    from checkov.main import Checkov


def main() -> int:
    """Read the arguments from stdin and run checkov with them."""
    line = sys.stdin.readline().strip()
    if not line:
        return 0
    argv = json.loads(line)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        return int(Checkov(argv).run() or 0)


if __name__ == "__main__":
    sys.exit(main())
