"""Settings read typed ICP_ variables, fail loudly, and pass check --deploy in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from icpportal import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def environ(monkeypatch):
    for key in list(os.environ):
        if key.startswith("ICP_"):
            monkeypatch.delenv(key)
    return monkeypatch


def test_envbool(environ):
    environ.setenv("ICP_X", "yes")
    assert env.envbool("X", False) is True
    environ.setenv("ICP_X", "off")
    assert env.envbool("X", True) is False
    environ.setenv("ICP_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="ICP_X='maybe'"):
        env.envbool("X", True)


def test_envint(environ):
    assert env.envint("N", 3) == 3
    environ.setenv("ICP_N", "12")
    assert env.envint("N", 3) == 12
    environ.setenv("ICP_N", "twelve")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env.envint("N", 3)
    environ.setenv("ICP_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.envint("N", 3, minimum=1)


def test_envchoice_and_envlist_and_networks(environ):
    environ.setenv("ICP_C", "s3")
    assert env.envchoice("C", "local", ("local", "s3")) == "s3"
    environ.setenv("ICP_C", "ftp")
    with pytest.raises(ImproperlyConfigured, match="local, s3"):
        env.envchoice("C", "local", ("local", "s3"))
    environ.setenv("ICP_L", " a, b ,,c ")
    assert env.envlist("L") == ["a", "b", "c"]
    environ.setenv("ICP_NETS", "10.0.0.0/8, fc00::/7")
    assert env.envnetworks("NETS", []) == ["10.0.0.0/8", "fc00::/7"]
    environ.setenv("ICP_NETS", "10.0.0.0/33")
    with pytest.raises(ImproperlyConfigured, match="CIDR"):
        env.envnetworks("NETS", [])


def test_envurl_and_required(environ):
    with pytest.raises(ImproperlyConfigured, match="ICP_DB must be set"):
        env.envurl("DB", "", ("postgres",), required=True)
    environ.setenv("ICP_DB", "mysql://x")
    with pytest.raises(ImproperlyConfigured, match="postgres:"):
        env.envurl("DB", "", ("postgres",))


PRODUCTION_ENV = {
    "ICP_ENV": "production",
    "ICP_SECRET_KEY": "k3Jd9-vQz2_Lm8Rt1Xp7Wc4Yb6Nf0Hs5Ga2Ue9Ti3Oy1Ek7Dl4Jr8Sw6Vq0Zx5Cn",
    "ICP_ALLOWED_HOSTS": "icp.example.com",
    "ICP_DATABASE_URL": "postgres://icp:secret@db.internal:5432/icp",
    "ICP_REDIS_URL": "redis://redis.internal:6379/0",
    "ICP_FIELD_KEYS": Fernet.generate_key().decode(),
}


def _manage(args: list[str], extra_env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ICP_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(extra_env)
    clean["ICP_DATA_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing",
    ["ICP_SECRET_KEY", "ICP_ALLOWED_HOSTS", "ICP_DATABASE_URL", "ICP_REDIS_URL", "ICP_FIELD_KEYS"],
)
def test_production_refuses_to_start_without_a_required_variable(tmp_path, missing):
    partial = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _manage(["check"], partial, tmp_path)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_a_bad_value_stops_start_up_with_its_name(tmp_path):
    result = _manage(["check"], {"ICP_STORAGE": "ftp"}, tmp_path)
    assert result.returncode != 0
    assert "ICP_STORAGE='ftp' is not valid" in result.stderr


def test_embedded_default_needs_no_variable(tmp_path):
    result = _manage(["check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    # The embedded default made its own keys, privately.
    assert (tmp_path / "field_key").stat().st_mode & 0o077 == 0
    assert (tmp_path / "secret_key").exists()


@pytest.mark.django_db
def test_no_missing_migrations():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
