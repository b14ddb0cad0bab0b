"""Fixtures of the local cloud's own tests.

``localcloud/plugins`` is a separate distribution (installed into LocalStack's venv); its
standard-library modules are imported here straight from the source tree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from localcloud.pytest_fixtures import aws_client, local_endpoint

__all__ = ["aws_client", "local_endpoint"]

PLUGINS_SOURCE = Path(__file__).resolve().parents[2] / "localcloud" / "plugins"
sys.path.insert(0, str(PLUGINS_SOURCE))
