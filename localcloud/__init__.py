"""The embedded local cloud: LocalStack in host mode, provisioned and run by the project.

``python -m localcloud up`` provisions (once) a Python 3.13 venv with ``localstack-core`` and
the project's LocalStack plugins plus a second Python 3.13 venv that plays the
python3.13 Lambda runtime (:data:`LAMBDA_RUNTIME`), then starts LocalStack bound to
``127.0.0.1`` with its state under ``build/localstack``. When ``LOCALSTACK_ENDPOINT`` or
``AWS_ENDPOINT_URL`` is set, that endpoint (a LocalStack container, say) is used instead and
nothing is started.

Modules: :mod:`~localcloud.layout` (where things live), :mod:`~localcloud.interpreters`
(finding Python 3.13), :mod:`~localcloud.provision` (the two venvs),
:mod:`~localcloud.settings` (LocalStack's environment), :mod:`~localcloud.server` (start, stop,
status), :mod:`~localcloud.target` (which endpoint), :mod:`~localcloud.clients` (boto3 clients
via localstack-client), :mod:`~localcloud.fixtures` (shared pytest lifecycle),
:mod:`~localcloud.cli`.
"""

LOCALSTACK_VERSION = "2026.3.0"
"""The localstack-core release the harness installs (the last open-source one)."""

LAMBDA_RUNTIME = "python3.13"
"""The Lambda runtime the local-process executor plays: the kit's default runtime (the newest
one both the pinned Powertools layer publishes and a local Python can play)."""

LAMBDA_PYTHON_VERSION = LAMBDA_RUNTIME.removeprefix("python")
"""The Python version of :data:`LAMBDA_RUNTIME` (``"3.13"``)."""

DEFAULT_REGION = "us-east-1"
"""Region of every client and of the emulator."""

DUMMY_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
"""Credentials LocalStack accepts (account 000000000000)."""
