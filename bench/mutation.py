"""Mutation testing of the data path and the measures with mutmut (issue 21).

    python bench/mutation.py merge|states|undl|unxml|measures|all [--max-mutants N]
                             [--max-children K] [--keep] [--survivors]

For each chosen module, mutmut (configured in ``[tool.mutmut]`` of pyproject.toml) plants
its small bugs one at a time in a copy of ``src`` under ``mutants/`` (git-ignored) and runs,
for each mutant, only the tests that executed the mutated function. The test selection is
narrowed to the module's own test files (:data:`MODULES`), so ``merge`` never runs the
measures' tests. Every module runs in its own child process on a fresh ``mutants/``
directory (``--keep`` reuses it: mutmut's cache then skips mutants already decided).

* ``--max-mutants N``: test only N mutants of the module, spread evenly over its mutants in
  mutmut's order (a quick sample; the kill rate is that of the sample).
* ``--max-children K``: parallel mutant workers (default 1: the machine is shared).
* A mutant's CPU time is limited to ``2 × timeout_multiplier × (its tests' clean duration +
  timeout_constant)`` seconds (pyproject); one over the limit counts as ``timeout``
  (a timeout is a detected change, but is reported apart from ``killed``).
* ``--survivors``: print the diff of every surviving mutant (``mutmut show``).

Progress goes to stderr and stdout; the last line is JSON::

    {"bench": "mutation", "modules": {"merge": {"mutants": .., "tested": .., "killed": ..,
     "survived": .., "timeout": .., "no_tests": .., "other": .., "kill_rate": ..,
     "seconds": .., "survivors": [...]}, ...}, "target": 0.9}

``kill_rate`` = (killed + timeout) / (killed + timeout + survived + no_tests): a mutant no
selected test executes counts as a survivor. Equivalent mutants (no behaviour change, e.g.
``astype(None)`` for ``astype(float)``, ``strict=True`` dropped from a ``zip`` of equal
lengths) stay in the denominator: judge the survivors with ``--survivors``.

Cost: the modules have 700-2,000 mutants each, ~2-6 s per mutant with one worker, so a full
module takes one to three hours; ``--max-mutants 80`` gives an estimate in 3-10 minutes.
mutmut forks every worker from a process that has already run the tests once, so a function
behind ``functools.cache`` keeps its cached result under a mutant: only a test that calls
the uncached function (``f.__wrapped__``) can kill those mutants.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: module name → (source file, its test files)
MODULES: dict[str, tuple[str, list[str]]] = {
    "merge": ("src/comity/ingest/merge.py",
              ["tests/test_datapath_merge.py", "tests/test_store.py", "tests/test_sc.py",
               "tests/test_datapath_merge2.py"]),
    "states": ("src/comity/world/states.py",
               ["tests/test_datapath_states.py", "tests/test_states.py"]),
    "undl": ("src/comity/ingest/sources/undl.py",
             ["tests/test_datapath_parsers.py", "tests/test_undl.py",
              "tests/test_undl_stream.py"]),
    "unxml": ("src/comity/ingest/sources/unxml.py",
              ["tests/test_datapath_parsers.py", "tests/test_sources.py",
               "tests/test_bad_input_unxml.py", "tests/test_cosponsorship.py",
               "tests/test_datapath_unxml.py"]),
    "measures": ("src/comity/analysis/measures.py",
                 ["tests/test_datapath_measures.py", "tests/test_measures.py"]),
}
TARGET = 0.90


def _dotted(src: str) -> str:
    return src.removeprefix("src/").removesuffix(".py").replace("/", ".")


def _status_counts(module: str, selected: list[str] | None) -> dict:
    from mutmut.stats import status_by_exit_code

    src, _ = MODULES[module]
    meta = ROOT / "mutants" / (src + ".meta")
    codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
    if selected is not None:
        codes = {k: v for k, v in codes.items() if k in set(selected)}
    out = {"mutants": len(codes), "tested": 0, "killed": 0, "survived": 0, "timeout": 0,
           "no_tests": 0, "other": 0}
    survivors = []
    for key, code in sorted(codes.items()):
        status = status_by_exit_code[code]
        if status == "not checked":
            continue
        out["tested"] += 1
        if status == "killed":
            out["killed"] += 1
        elif status == "survived":
            out["survived"] += 1
            survivors.append(key)
        elif status == "timeout":
            out["timeout"] += 1
        elif status == "no tests":
            out["no_tests"] += 1
            survivors.append(key)
        else:
            out["other"] += 1
    decided = out["killed"] + out["timeout"] + out["survived"] + out["no_tests"]
    out["kill_rate"] = round((out["killed"] + out["timeout"]) / decided, 4) if decided else None
    out["survivors"] = survivors
    return out


def _worker(module: str, max_mutants: int | None, max_children: int) -> None:
    """Child process: configure mutmut for one module and run it (in this process, as the
    ``mutmut`` command would)."""
    import mutmut.__main__ as mm
    from mutmut.configuration import config

    src, tests = MODULES[module]
    cfg = config()
    cfg.pytest_add_cli_args_test_selection = [t for t in tests if (ROOT / t).exists()]
    pattern = _dotted(src) + ".*"
    names: list[str] = [pattern]
    if max_mutants is not None:
        # generate the mutants first to pick an even sample of their names
        mm.set_mutant_under_test("mutant_generation")
        os.makedirs("mutants", exist_ok=True)
        mm.copy_src_dir()
        mm.copy_also_copy_files()
        mm.setup_source_paths()
        mm.create_mutants(max_children)
        meta = json.loads((ROOT / "mutants" / (src + ".meta")).read_text())
        keys = sorted(meta["exit_code_by_key"])
        if max_mutants < len(keys):
            step = len(keys) / max_mutants
            keys = [keys[int(i * step)] for i in range(max_mutants)]
        names = keys
    (ROOT / "mutants").mkdir(exist_ok=True)
    (ROOT / "mutants" / "bench-selected.json").write_text(
        json.dumps(None if max_mutants is None else names))
    mm._run(names, max_children)


def _show(mutant: str) -> str:
    out = subprocess.run([sys.executable, "-m", "mutmut", "show", mutant], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    return out.stdout


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("module", choices=[*MODULES, "all"])
    ap.add_argument("--max-mutants", type=int, default=None)
    ap.add_argument("--max-children", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="reuse mutants/ (mutmut's cache)")
    ap.add_argument("--survivors", action="store_true", help="print each survivor's diff")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    os.chdir(ROOT)
    # the checkout's test data default (../shared/data) is wrong from inside mutants/
    os.environ.setdefault("COMITY_TEST_DATA", str((ROOT / ".." / "shared" / "data").resolve()))
    if a.worker:
        _worker(a.module, a.max_mutants, a.max_children)
        return 0
    modules = list(MODULES) if a.module == "all" else [a.module]
    report: dict[str, dict] = {}
    for mod in modules:
        if not a.keep and (ROOT / "mutants").exists():
            shutil.rmtree(ROOT / "mutants")
        print(f"== {mod}: {MODULES[mod][0]} with {' '.join(MODULES[mod][1])}", flush=True)
        t0 = time.perf_counter()
        cmd = [sys.executable, str(Path(__file__).resolve()), mod, "--worker",
               "--max-children", str(a.max_children)]
        if a.max_mutants is not None:
            cmd += ["--max-mutants", str(a.max_mutants)]
        rc = subprocess.run(cmd, cwd=ROOT, check=False).returncode
        sel_path = ROOT / "mutants" / "bench-selected.json"
        selected = json.loads(sel_path.read_text()) if sel_path.exists() else None
        res = _status_counts(mod, selected)
        res["seconds"] = round(time.perf_counter() - t0, 1)
        if rc != 0:
            res["error"] = f"mutmut exited with {rc}"
        report[mod] = res
        print(f"== {mod}: killed {res['killed']}, timeout {res['timeout']}, survived "
              f"{res['survived']}, no tests {res['no_tests']} of {res['tested']} tested: "
              f"kill rate {res['kill_rate']}", flush=True)
        if a.survivors:
            for key in res["survivors"]:
                print(_show(key), flush=True)
    print(json.dumps({"bench": "mutation", "modules": report, "target": TARGET}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
