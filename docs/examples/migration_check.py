"""Check that moving the reference app from one migration phase to the next keeps its data."""

import tempfile

from kit.migration import check_migration
from kit.reference_app import STACK_NAME, build_reference_app


def template_at(phase: int) -> dict:
    """Synthesize the reference app at ``phase`` and return its template."""
    with tempfile.TemporaryDirectory() as outdir:
        assembly = build_reference_app(outdir, phase).synth()
        return assembly.get_stack_by_name(STACK_NAME).template


problems = check_migration(template_at(2), template_at(3))
for problem in problems:
    print(problem)  # e.g. "replacement: OrdersTable...: create-only property ... changes"
print("safe" if not problems else f"unsafe: {len(problems)} problem(s)")
