"""`python -m benchmarks [NAME ...]`: run every bench_* module (or the named ones) and print."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def main(names: list[str]) -> int:
    found = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    chosen = [n for n in found if not names or n.removeprefix("bench_") in names or n in names]
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        print(f"== {name.removeprefix('bench_')}", flush=True)
        for line in module.run():
            print(f"   {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
