"""Command-line start-up cost: CPU time of whole commands as a ratio to ``python -c pass``.

    .venv/bin/python bench/cli.py [--runs 7] [--limit 0.3] [--check]

Each command runs ``--runs`` times as a child process (rounds alternate between the baseline
and the commands, so a change of machine speed during the run touches both); the CPU time of
a run is the child's user + system time from ``os.wait4``. Reported per command: the median
CPU seconds and the ratio to the median of ``python -c pass`` measured in the same run. Exit
status 1 with ``--check`` if a command's median exceeds ``--limit`` seconds of CPU (the target
for start-up); without it, commands over the limit are only named.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXE = str(Path(sys.executable).parent / "casebycase")
BASELINE = ("python -c pass", [sys.executable, "-c", "pass"])
COMMANDS = [
    ("casebycase --help", [EXE, "--help"]),
    ("casebycase packs", [EXE, "packs"]),
    (
        "casebycase evaluate demo/requests/boone-detainer.json",
        [EXE, "evaluate", "demo/requests/boone-detainer.json"],
    ),
]


def cpu_seconds(argv: list[str]) -> float:
    """User + system CPU seconds of one run of ``argv`` (output discarded; must exit 0)."""
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {proc.returncode}")
    return usage.ru_utime + usage.ru_stime


def measure(runs: int) -> dict[str, float]:
    """Median CPU seconds per command (baseline first), rounds interleaved."""
    samples: dict[str, list[float]] = {name: [] for name, _ in [BASELINE, *COMMANDS]}
    for _name, argv in [BASELINE, *COMMANDS]:  # warm the file cache and bytecode
        cpu_seconds(argv)
    for _ in range(runs):
        for name, argv in [BASELINE, *COMMANDS]:
            samples[name].append(cpu_seconds(argv))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--limit", type=float, default=0.3, help="CPU seconds per command")
    parser.add_argument("--check", action="store_true", help="exit 1 when over the limit")
    args = parser.parse_args()
    medians = measure(args.runs)
    base = medians[BASELINE[0]]
    print(
        f"CLI start-up CPU (user+sys, median of {args.runs} runs; Python {sys.version.split()[0]})"
    )
    print(f"| command | CPU | ratio to `{BASELINE[0]}` |")
    print("|---|---|---|")
    print(f"| `{BASELINE[0]}` | {base * 1000:.0f} ms | 1.0x |")
    slow = []
    for name, _ in COMMANDS:
        cpu = medians[name]
        print(f"| `{name}` | {cpu * 1000:.0f} ms | {cpu / base:.1f}x |")
        if cpu > args.limit:
            slow.append(name)
    for name in slow:
        print(f"over the {args.limit:.2f} s target: {name}")
    return 1 if slow and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
