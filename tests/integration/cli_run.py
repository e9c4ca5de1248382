"""Run the real `radura` command in a subprocess, as a person at a terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# a developer's own settings must not leak into what the command sees
_CLEARED = ("RADURA_DATABASE_URL", "RADURA_DATABASE_REPLICA_URL", "RADURA_SIGNING_KEY")


def radura(
    *args: str, data_dir: Path, timeout_s: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """`python -m service.cli ARGS` with RADURA_DATA_DIR and the given variables set."""
    environ = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    environ.update(RADURA_DATA_DIR=str(data_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit status 2, no traceback, at most three lines, and the words that explain it."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) <= 3, output
    for word in words:
        assert word in output, output
