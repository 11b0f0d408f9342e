"""The development secret key in instance/: private to its owner from the first byte."""

import os
import pathlib
import stat

from app import config


def test_the_development_key_file_is_created_owner_only_even_if_chmod_never_runs(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    # Between a write and a later chmod the file is world-readable under the usual umask;
    # with chmod out of the picture only a file created 0600 stays private.
    monkeypatch.setattr(pathlib.Path, "chmod", lambda self, mode: None)
    old_umask = os.umask(0o022)
    try:
        key = config.development_secret_key()
    finally:
        os.umask(old_umask)
    path = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 64
    # Kept: the next start reads the same key, so sessions survive restarts.
    assert config.development_secret_key() == key
