"""Where the embedded local cloud keeps its venvs and the state of its instances."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from localcloud import LAMBDA_RUNTIME

PACKAGE_DIR = Path(__file__).resolve().parent
REPOSITORY_ROOT = PACKAGE_DIR.parent
STATE_DIR_VARIABLE = "LOCALCLOUD_STATE_DIR"


@dataclass(frozen=True)
class StateLayout:
    """Paths under the harness state directory (``build/localstack`` by default).

    Parameters
    ----------
    root
        The state directory. Everything the harness writes goes below it, except what
        LocalStack itself hard-codes (its S3 object store under ``/tmp/localstack-s3-storage``).

    Examples
    --------
    >>> StateLayout(Path("/repo/build/localstack")).instance_dir("default")
    PosixPath('/repo/build/localstack/instances/default')
    """

    root: Path

    @classmethod
    def default(cls) -> StateLayout:
        """The layout at ``$LOCALCLOUD_STATE_DIR`` or ``<repository>/build/localstack``."""
        configured = os.environ.get(STATE_DIR_VARIABLE)
        return cls(Path(configured) if configured else REPOSITORY_ROOT / "build" / "localstack")

    @property
    def localstack_venv(self) -> Path:
        """Python 3.13 venv with localstack-core and the project's plugins."""
        return self.root / "localstack-venv"

    @property
    def lambda_runtime_venv(self) -> Path:
        """Venv that plays the Lambda runtime :data:`localcloud.LAMBDA_RUNTIME` (python3.13)."""
        return self.root / f"lambda-{LAMBDA_RUNTIME}"

    @property
    def localstack_python(self) -> Path:
        """Interpreter of :attr:`localstack_venv`."""
        return self.localstack_venv / "bin" / "python"

    @property
    def lambda_python(self) -> Path:
        """Interpreter of :attr:`lambda_runtime_venv`."""
        return self.lambda_runtime_venv / "bin" / "python"

    def instance_dir(self, name: str) -> Path:
        """State of one LocalStack instance (PID file, log, data, temporary files)."""
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"invalid instance name {name!r}")
        return self.root / "instances" / name


# Inputs of the installs: a change to any of them re-provisions the venv they feed.
LOCALSTACK_REQUIREMENTS = PACKAGE_DIR / "requirements-localstack.txt"
PLUGIN_BUILD_REQUIREMENTS = PACKAGE_DIR / "requirements-plugin-build.txt"
LAMBDA_RUNTIME_REQUIREMENTS = PACKAGE_DIR / "requirements-lambda-runtime.txt"
PLUGINS_DIR = PACKAGE_DIR / "plugins"
