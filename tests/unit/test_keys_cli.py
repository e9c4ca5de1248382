"""`radura keys rotate` and `radura label verify`, run as a person would, on a temp data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from labels.signing import Keyring
from labels.uri import signed_uri
from schemas.labels import LabelRef
from service.batches.labelling.keys import SigningKeys
from service.core.settings import load_settings

REF = LabelRef(code="7KQ2M9XW4T", lot="L1", serial="8H3JQ2KD0A")


def radura(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RADURA_DATA_DIR": str(data_dir)}
    env.pop("RADURA_SIGNING_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_rotation_keeps_old_labels_verifiable(tmp_path: Path):
    old_uri = signed_uri("https://radura.test", REF, Keyring.load_or_create(tmp_path))
    rotated = radura(tmp_path, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    new_kid = json.loads(rotated.stdout)["active_kid"]
    keyring = Keyring.load_or_create(tmp_path)
    assert keyring.active_kid == new_kid
    statuses = {key["kid"]: key["status"] for key in keyring.jwks()["keys"]}
    assert statuses[new_kid] == "active" and list(statuses.values()).count("retired") == 1

    offline = radura(tmp_path, "label", "verify", old_uri)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "VALID" in offline.stdout and "(retired)" in offline.stdout


def test_verify_against_a_jwks_file_and_reasons_for_failure(tmp_path: Path):
    keyring = Keyring.load_or_create(tmp_path / "server")
    uri = signed_uri("https://radura.test", REF, keyring)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps(keyring.jwks()))
    elsewhere = tmp_path / "empty"  # a machine with no keys of its own

    good = radura(elsewhere, "label", "verify", uri, "--jwks", str(jwks))
    assert good.returncode == 0 and "VALID" in good.stdout and "serial=8H3JQ2KD0A" in good.stdout

    changed = uri.replace("8H3JQ2KD0A", "8H3JQ2KD0B")
    bad = radura(elsewhere, "label", "verify", changed, "--jwks", str(jwks))
    assert bad.returncode == 1 and "INVALID: bad signature" in bad.stdout

    unsigned = radura(elsewhere, "label", "verify", uri.split("?")[0], "--jwks", str(jwks))
    assert unsigned.returncode == 1 and "no signature" in unsigned.stdout

    foreign = signed_uri("https://radura.test", REF, Keyring.generate())
    unknown = radura(elsewhere, "label", "verify", foreign, "--jwks", str(jwks))
    assert unknown.returncode == 1 and "unknown kid" in unknown.stdout


def test_running_server_learns_a_rotated_key_from_disk(tmp_path: Path, monkeypatch):
    import dataclasses

    import service.batches.labelling.keys as keys_module

    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, signing_key=None)
    server = SigningKeys(settings)
    rotated = Keyring.rotate(tmp_path)  # what `radura keys rotate` does in another process
    message = b"/v/7KQ2M9XW4T"
    signature = rotated.sign(message)
    monkeypatch.setattr(keys_module, "_RELOAD_INTERVAL_S", 0.0)
    assert server.verify(message, signature).valid
    assert server.keyring.active_kid == rotated.active_kid


def test_running_server_signs_and_publishes_with_the_rotated_key(tmp_path: Path, monkeypatch):
    import dataclasses

    import service.batches.labelling.keys as keys_module

    settings = dataclasses.replace(load_settings(), data_dir=tmp_path, signing_key=None)
    server = SigningKeys(settings)
    old_kid = server.keyring.active_kid
    rotated = Keyring.rotate(tmp_path)
    # within the reload interval the process keeps its key, then it follows the files
    assert {k["kid"] for k in server.jwks()["keys"] if k["status"] == "active"} == {old_kid}
    monkeypatch.setattr(keys_module, "_RELOAD_INTERVAL_S", 0.0)
    active = {k["kid"]: k["status"] for k in server.jwks()["keys"]}
    assert active == {rotated.active_kid: "active", old_kid: "retired"}
    signature = server.sign(b"/v/7KQ2M9XW4T")
    assert rotated.verify(b"/v/7KQ2M9XW4T", signature).key_status == "active"
