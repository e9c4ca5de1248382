"""Start-up time of `radura serve` on the embedded database, until /ready answers.

Cold: an empty data folder (initdb, migrations, server). Warm: the same folder again.
Baseline: granian serving a bare Litestar app, started the same way.

    python tests/perf/bench_startup.py [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.perf._server import free_port, radura_serve, start, stop, wait_until_ok


def _time_radura(data_dir: Path) -> float:
    port = free_port()
    env = {"RADURA_DATA_DIR": str(data_dir), "RADURA_DATABASE_URL": ""}
    process = radura_serve(port, env)
    try:
        return wait_until_ok(f"http://127.0.0.1:{port}/ready")
    finally:
        stop(process)


def _time_bare() -> float:
    port = free_port()
    process = start(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "--port",
            str(port),
            "tests.perf.bare_app:create_app",
        ]
    )
    try:
        return wait_until_ok(f"http://127.0.0.1:{port}/ready")
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    cold, warm, bare = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="radura-startup-") as tmp:
            cold.append(_time_radura(Path(tmp)))
            warm.append(_time_radura(Path(tmp)))
        bare.append(_time_bare())

    def show(name: str, values: list[float]) -> None:
        print(
            f"{name:<44} median {statistics.median(values):6.2f} s   "
            f"(runs: {', '.join(f'{v:.2f}' for v in values)})"
        )

    print(f"radura serve start-up until /ready answers, {runs} runs each")
    show("cold (empty data dir: initdb + migrate)", cold)
    show("warm (existing data dir)", warm)
    show("baseline: granian + bare Litestar app", bare)


if __name__ == "__main__":
    main()
