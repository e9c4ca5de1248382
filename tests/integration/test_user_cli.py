"""`radura user create`, run as a person would, against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path


def radura(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADURA_DATABASE_URL": database_url, "RADURA_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "user", "create", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_user_create_refuses_an_unknown_organization(database_url: str, data_dir: Path):
    # the same rule as POST /api/v1/users, where it answers 404
    unknown = str(uuid.uuid4())
    args = ("--role", "producer", "--name", "Ghost", "--organization-id", unknown)
    refused = radura(database_url, data_dir, *args)
    assert refused.returncode == 1, refused.stderr
    assert refused.stdout == ""
    assert "No such organization" in refused.stderr


def test_user_create_prints_the_admin_and_its_token(database_url: str, data_dir: Path):
    created = radura(database_url, data_dir, "--role", "admin", "--name", "Admin CLI")
    assert created.returncode == 0, created.stderr
    assert set(json.loads(created.stdout)) == {"user_id", "token"}
