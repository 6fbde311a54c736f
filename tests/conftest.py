"""Shared fixtures: where the real corpus lives.

The real reports are read in place from ``../shared/reports`` (beside the project
checkout); the Shaoyang texts are also bundled under ``data/raw``.
"""

from __future__ import annotations

import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import requests

PROJECT = Path(__file__).resolve().parents[1]
SHARED_REPORTS = PROJECT.parent / "shared" / "reports"
RAW = PROJECT / "data" / "raw"


def cli_command() -> list[str]:
    """The installed ``shaoyang-report`` command, found through the package's entry-point metadata.

    Runs the entry point's function as the console script does (whatever the install: a
    checkout's venv, a wheel in another venv), with no path to a script assumed.
    """
    (script,) = entry_points(group="console_scripts", name="shaoyang-report")
    code = (f"import sys; sys.argv[0] = {script.name!r}; from {script.module} import {script.attr} as main; "
            "sys.exit(main())")
    return [sys.executable, "-c", code]


def shared_report(relative: str) -> Path:
    """Path of a file in the real corpus; skips the test loudly if it is absent."""
    path = SHARED_REPORTS / relative
    if not path.exists():
        pytest.fail(f"real corpus file missing: {path} (CI must have ../shared beside the checkout)")
    return path


@pytest.fixture
def shaoyang_2020() -> Path:
    """The complete Shaoyang 2020 city report, as bundled in data/raw."""
    return RAW / "shaoyang_city_2020.txt"


@pytest.fixture
def server():
    """A loopback web server for the fetch tests (tests/fetch_server.py)."""
    from fetch_server import LoopbackServer

    with LoopbackServer() as srv:
        yield srv


@pytest.fixture
def session():
    """A requests session that ignores proxy settings: loopback only."""
    with requests.Session() as s:
        s.trust_env = False
        yield s
