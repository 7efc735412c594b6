"""Shared helpers: the command line to compare with, and the CSV text of a table."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "data" / "examples"


def cli_binary() -> pathlib.Path:
    """The `yanglao` executable built from this tree: $YANGLAO_BIN, else the release or
    the debug build (scripts/test.sh sets it to the one `cargo test` just built)."""
    env = os.environ.get("YANGLAO_BIN")
    if env:
        return pathlib.Path(env)
    for kind in ("release", "debug"):
        p = ROOT / "target" / kind / "yanglao"
        if p.exists():
            return p
    found = shutil.which("yanglao")
    if found:
        return pathlib.Path(found)
    pytest.fail("no yanglao executable: run cargo build, or set YANGLAO_BIN")


def cli(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess:
    """Runs the command line; exit 0 or 3 (some error rows) is a finished run."""
    done = subprocess.run([str(cli_binary()), *map(str, args)], capture_output=True, text=True)
    assert done.returncode in (0, 3), done.stderr
    return done


def gen(path: pathlib.Path, n: int, seed: int = 1) -> pathlib.Path:
    subprocess.run([str(cli_binary()), "gen", "--n", str(n), "--seed", str(seed), "-o", str(path)], check=True,
                   capture_output=True)  # fmt: skip
    return path


def read_text(path: pathlib.Path, columns: list[str] | None = None) -> pa.Table:
    """A CSV with every cell as its text (an empty cell null), as the money='str' tables."""
    with open(path, "rb") as f:
        header = f.readline().decode().rstrip("\n").split(",")
    opts = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in header},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    return pacsv.read_csv(path, convert_options=opts)


def _field(v: str | None) -> str:
    """One field as the command line writes it (quoted when it holds , " CR or LF)."""
    if v is None:
        return ""
    if any(c in v for c in ',"\n\r'):
        return '"' + v.replace('"', '""') + '"'
    return v


def csv_bytes(t: pa.Table) -> bytes:
    """The table (all text columns) written as the command line writes its CSV."""
    cols = [c.to_pylist() for c in t.columns]
    lines = [",".join(t.column_names)]
    for row in zip(*cols):
        lines.append(",".join(_field(v) for v in row))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="session")
def scenarios(tmp_path_factory) -> pathlib.Path:
    """Generated rows, then rows the whole file makes errors or that need care: a
    duplicate of an early id near the end, a bad value, a label with a comma, quotes and a
    line break, an empty id."""
    d = tmp_path_factory.mktemp("scenarios")
    path = gen(d / "gen.csv", 3000, seed=3)
    text = path.read_text()
    header, *rows = text.splitlines()
    first_id = rows[0].split(",")[0]
    cols = header.split(",")
    assert cols[0] == "id" and "label" in cols

    def variant(row: str, **change: str) -> str:
        cells = next(iter(pacsv.read_csv(pa.py_buffer((header + "\n" + row + "\n").encode()),
                      convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in cols}))
                      .to_pylist()))  # fmt: skip
        cells.update(change)
        return ",".join(_field(cells[c]) for c in cols)

    extra = [
        variant(rows[1], id="quoted-1", label='a "label", with\na line break'),
        variant(rows[2], id="bad-birth", birth="1960-13"),
        variant(rows[3], id=first_id),  # duplicate of the first row
        variant(rows[4], id=""),
    ]
    # The multi-line row early (a Dask CSV block boundary must not cut it), the others late.
    rows = rows[:5] + [extra[0]] + rows[5:] + extra[1:]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture(scope="session")
def cli_results(scenarios, tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("cli") / "results.csv"
    cli("run", scenarios, "-o", out)
    return out
