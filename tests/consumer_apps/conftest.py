"""The consumer-app tests share the audit tests' checkov fixture."""

from tests.audit.conftest import checkov_executable

__all__ = ["checkov_executable"]
