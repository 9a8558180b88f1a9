"""Schemathesis against ``comity serve`` (started by the test on 127.0.0.1, full real store):
for every operation of ``/openapi.json``, generated requests never get a 5xx and every
response conforms to the schema (status code documented, content type, body). A bounded
number of examples per operation keeps the run to about a minute."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("uvicorn")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = int(os.environ.get("COMITY_SCHEMA_EXAMPLES", "12"))

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(live_server: str) -> str:
    return live_server


def test_api_conforms_to_its_schema(server: str) -> None:
    """Run schemathesis' own runner (its CLI) against the live server: no 5xx, every
    response conforms to the schema.

    Left out: ``positive_data_acceptance``. A request can fit the schema and still name no
    known state ("USA" and "Narnia" are both strings): the documented 404/422 answer is right.
    The CLI is used rather than the pytest plugin, whose hooks depend on pytest internals;
    its "coverage" phase is left out (it crashes inside Hypothesis' lambda reprs on this
    schemathesis/Hypothesis pair) — the fuzzing phase generates valid and invalid requests.
    """
    exe = Path(sys.executable).with_name("schemathesis")
    cmd = [str(exe) if exe.exists() else "schemathesis", "run", server + "/openapi.json",
           "--checks", "all", "--exclude-checks", "positive_data_acceptance",
           "--phases", "examples,fuzzing",
           "--max-examples", str(EXAMPLES), "--seed", "1", "--generation-deterministic",
           "--request-timeout", "120", "--workers", "2"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
