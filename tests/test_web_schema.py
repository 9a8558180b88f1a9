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


#: a request schemathesis makes invalid may be refused for its size first (413: the body
#: limit is checked before the body is read, issue 19), which is a rejection too
CONFIG = """[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                     "428", "429", "5XX"]
"""


def test_api_conforms_to_its_schema(server: str, tmp_path: Path) -> None:
    """Run schemathesis' own runner (its CLI) against the live server: no 5xx, every
    response conforms to the schema.

    Left out: ``positive_data_acceptance``. A request can fit the schema and still name no
    known state ("USA" and "Narnia" are both strings): the documented 404/422 answer is right.
    The CLI is used rather than the pytest plugin, whose hooks depend on pytest internals;
    its "coverage" phase is left out (it crashes inside Hypothesis' lambda reprs on this
    schemathesis/Hypothesis pair) — the fuzzing phase generates valid and invalid requests.
    """
    exe = Path(sys.executable).with_name("schemathesis")
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    cmd = [str(exe) if exe.exists() else "schemathesis", "--config-file", str(config), "run",
           server + "/openapi.json",
           "--checks", "all", "--exclude-checks", "positive_data_acceptance",
           "--phases", "examples,fuzzing",
           "--max-examples", str(EXAMPLES), "--seed", "1", "--generation-deterministic",
           "--request-timeout", "120", "--workers", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
