#!/usr/bin/env python3
"""Python package measurements (README, "Python"): run with .venv/bin/python after
scripts/examples.sh (release command line) and scripts/python-env.sh (release extension).

  .venv/bin/python scripts/bench-python.py [ROWS] [REPEAT]         binding vs command line
  .venv/bin/python scripts/bench-python.py --dask [ROWS] [REPEAT]  Dask, 1, 2 and 4 workers

Binding: the same generated file (`yanglao gen --seed 1`) through the command line
(`yanglao run`, a process: reading the file, writing the results file) and through
`yanglao.run` on a pandas DataFrame of it (text columns, as `pd.read_csv(dtype=str)`
gives; the read is not timed), returning a pandas DataFrame with decimal money.
Interleaved, `sync` before each run; the fastest of each and the ratio are printed. The
Python results are checked to be the command line's, cell for cell, first.

Dask: the file as Parquet (16 row groups of text columns), `yanglao.dask.run_parquet`
to a Parquet directory on a LocalCluster of 1, 2 and 4 worker processes of one thread
each (cluster start not timed), with the duplicate-id pass; rows/s of the fastest run.
"""

from __future__ import annotations

import os
import resource
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(os.environ.get("YANGLAO_BIN", ROOT / "target" / "release" / "yanglao"))


def sh(*args: str) -> None:
    subprocess.run(list(args), check=True, stderr=subprocess.DEVNULL)


CPU: list[float] = []


def timed(fn) -> float:
    """Wall-clock seconds of fn(); its processor seconds (user + system, of this process
    and of the processes it waited for) are appended to CPU."""
    os.sync()
    r0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    fn()
    t = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(sum(b.ru_utime - a.ru_utime + b.ru_stime - a.ru_stime for a, b in zip(r0, r1)))
    return t


def binding(rows: int, repeat: int, work: pathlib.Path) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    import yanglao

    src = work / "gen.csv"
    sh(str(BIN), "gen", "--n", str(rows), "--seed", "1", "-o", str(src))
    out = work / "cli.csv"
    df = pd.read_csv(src, dtype=str, keep_default_na=False)

    # The same cells first.
    sh(str(BIN), "run", str(src), "-o", str(out))
    header = out.open().readline().strip().split(",")
    want = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(
        column_types={c: pa.string() for c in header}, strings_can_be_null=True, null_values=[""]))  # fmt: skip
    got = yanglao.run(pa.Table.from_pandas(df, preserve_index=False), money="str")
    assert got.equals(want), "Python results differ from the command line's"
    print(f"{rows} rows: Python results identical to the command line's (every cell)")

    cli_t, py_t, cli_cpu, py_cpu = [], [], [], []
    for _ in range(repeat):
        cli_t.append(timed(lambda: sh(str(BIN), "run", str(src), "-o", str(out))))
        cli_cpu.append(CPU[-1])
        py_t.append(timed(lambda: yanglao.run(df)))
        py_cpu.append(CPU[-1])
    ratios = [p / c for p, c in zip(py_t, cli_t)]
    print("command line:", " ".join(f"{t:.2f}" for t in cli_t), "s; processor", " ".join(f"{t:.2f}" for t in cli_cpu), "s")
    print("yanglao.run :", " ".join(f"{t:.2f}" for t in py_t), "s; processor", " ".join(f"{t:.2f}" for t in py_cpu), "s")
    print(f"processor time ratio (least over least) {min(py_cpu) / min(cli_cpu):.2f}")
    print(
        f"fastest {min(cli_t):.2f} s vs {min(py_t):.2f} s: ratio {min(py_t) / min(cli_t):.2f}; "
        f"median of paired ratios {statistics.median(ratios):.2f}"
    )


def dask_scaling(rows: int, repeat: int, work: pathlib.Path) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from distributed import Client, LocalCluster

    import yanglao.dask

    src = work / "gen.csv"
    sh(str(BIN), "gen", "--n", str(rows), "--seed", "1", "-o", str(src))
    header = src.open().readline().strip().split(",")
    table = pacsv.read_csv(src, convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in header}))
    pq_dir = work / "scenarios"
    pq_dir.mkdir()
    step = -(-rows // 16)
    for k in range(16):
        pq.write_table(table.slice(k * step, step), pq_dir / f"part-{k:02}.parquet")
    cli_out = work / "cli.csv"
    print(f"command line, {rows} rows: {min(timed(lambda: sh(str(BIN), 'run', str(src), '-o', str(cli_out))) for _ in range(repeat)):.2f} s")
    for workers in (1, 2, 4):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cl, Client(cl):
            times = []
            for r in range(repeat):
                dest = work / f"out-{workers}-{r}"
                times.append(timed(lambda: yanglao.dask.run_parquet(str(pq_dir), str(dest))))
            best = min(times)
            print(
                f"workers {workers}: " + " ".join(f"{t:.2f}" for t in times)
                + f" s; fastest {best:.2f} s, {rows / best:,.0f} rows/s"
            )


def main() -> None:
    args = sys.argv[1:]
    dask = "--dask" in args
    args = [a for a in args if a != "--dask"]
    rows = int(args[0]) if args else 1_000_000
    repeat = int(args[1]) if len(args) > 1 else 3
    if not BIN.exists():
        sys.exit(f"{BIN} missing: run scripts/examples.sh (or cargo build --release) first")
    with tempfile.TemporaryDirectory(prefix="yanglao-bench-") as d:
        (dask_scaling if dask else binding)(rows, repeat, pathlib.Path(d))


if __name__ == "__main__":
    main()
