"""yanglao (养老): Chinese basic pension projections on tables.

``yanglao.run(table, **assumptions)`` computes one result row per scenario row, exactly as
``yanglao run`` does on the same rows: the same columns in the same order and the same
numbers (the rows go through the command line's own pipeline). ``table`` is a pandas or
polars DataFrame or a pyarrow Table, and the results come back as the same kind.
``yanglao.paths(...)`` gives the yearly paths (``--paths``), ``yanglao.explain(table, id)``
the derivation of one row (``yanglao explain``). ``yanglao.dask.run`` maps the
engine over the partitions of a Dask DataFrame. See docs/python.md.

How: the table is written as CSV by Arrow's writer into a temporary file (in /dev/shm
when there is one), the pipeline reads it and writes the results CSV, and Arrow's reader
reads that back with the column types below. No Python object is made per row.

Types of the result columns (``money=``):

- ``"decimal"`` (default): money columns (yuan, two decimals) are decimal128(38, 2), exact
  to the fen; the other numbers (years, indices, rates, ratios, the divisor, the echoed
  ``contribution_index`` and ``tier``) are float64, whose shortest form is the command
  line's text without trailing zeros; everything else is text.
- ``"str"``: every column is the command line's text, cell for cell (an empty cell is
  null).
- ``"float"``: money columns are float64 too.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from . import _native

__all__ = ["run", "paths", "explain", "run_csv", "YanglaoWarning", "RESULT_COLUMNS", "PATHS_COLUMNS", "MONEY"]
__version__ = _native.__version__

#: Result columns in order (as ``yanglao run`` writes them).
RESULT_COLUMNS: list[str] = list(_native.result_columns())
#: ``--paths`` columns in order.
PATHS_COLUMNS: list[str] = list(_native.paths_columns())

#: Money columns (yuan to the fen): results and paths.
MONEY = frozenset(
    {
        "base", "balance", "basic", "account", "transitional", "resident_basic", "bonus",
        "allowance", "total", "own_paid", "gov_paid", "pension_wealth", "total_real",
        "pension_wealth_real", "monthly_pension", "cumulative_paid", "cumulative_received",
    }
)  # fmt: skip
#: Other numeric columns (float64 unless money="str").
NUMBERS = frozenset(
    {
        "divisor", "years", "min_years", "avg_index", "replacement_rate",
        "replacement_rate_avg", "irr", "money_worth", "contribution_index", "tier", "survival",
    }
)  # fmt: skip
#: Whole numbers (int64 unless money="str").
INTEGERS = frozenset({"year", "age"})
#: Text columns (ids, labels, codes, months YYYY-MM, ages like 60y2m, messages).
TEXT = frozenset(
    {
        "id", "label", "status", "scheme", "claim_region", "retire", "retire_age", "message",
        "breakeven_age", "provenance", "metrics_scope",
    }
)  # fmt: skip

_MONEY_MODES = ("decimal", "str", "float")
_ASSUMPTION_KEYS = ("as_of", "wage_growth", "account_rate", "indexation", "discount_rate")


class YanglaoWarning(UserWarning):
    """A warning of the pipeline (unknown columns, encoding, segments without a scenario)."""


def _scratch() -> str | None:
    """A RAM-backed directory for the temporary CSV files when the system has one."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        return shm
    return None


def _kind(table: Any) -> str:
    if isinstance(table, pa.Table):
        return "arrow"
    if isinstance(table, pa.RecordBatch):
        return "arrow"
    mod = type(table).__module__.split(".")[0]
    if mod == "pandas":
        return "pandas"
    if mod == "polars":
        return "polars"
    raise TypeError(
        f"expected a pandas or polars DataFrame or a pyarrow Table, got {type(table).__name__}"
    )


def _to_arrow(table: Any, kind: str) -> pa.Table:
    if kind == "arrow":
        return table if isinstance(table, pa.Table) else pa.Table.from_batches([table])
    if kind == "pandas":
        return pa.Table.from_pandas(table, preserve_index=False)
    return table.to_arrow()


def _for_csv(t: pa.Table) -> pa.Table:
    """Columns the CSV writer would spell otherwise than the contract: dates and times
    become their month YYYY-MM (C3), dictionaries (categoricals) their values."""
    cols, changed = [], False
    for col in t.columns:
        typ = col.type
        if pa.types.is_dictionary(typ):
            col, typ, changed = col.cast(typ.value_type), typ.value_type, True
        if pa.types.is_date(typ) or pa.types.is_timestamp(typ):
            col, changed = pc.strftime(col, format="%Y-%m"), True
        elif pa.types.is_string_view(typ):
            col, changed = col.cast(pa.large_string()), True
        cols.append(col)
    return pa.Table.from_arrays(cols, names=t.column_names) if changed else t


def _write_csv(table: Any, path: str) -> None:
    t = _for_csv(_to_arrow(table, _kind(table)))
    pacsv.write_csv(t, path, pacsv.WriteOptions(quoting_style="needed", batch_size=65536))


def _types(columns: list[str], money: str) -> dict[str, pa.DataType]:
    if money not in _MONEY_MODES:
        raise ValueError(f"money={money!r}: allowed one of {', '.join(map(repr, _MONEY_MODES))}")
    types: dict[str, pa.DataType] = {}
    for c in columns:
        if money == "str" or c not in MONEY | NUMBERS | INTEGERS:
            types[c] = pa.string()
        elif c in MONEY and money == "decimal":
            types[c] = pa.decimal128(38, 2)
        elif c in INTEGERS:
            types[c] = pa.int64()
        else:
            types[c] = pa.float64()
    return types


def _read_csv(path: str, columns: list[str], money: str) -> pa.Table:
    opts = pacsv.ConvertOptions(
        column_types=_types(columns, money),
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=False,
    )
    read = pacsv.ReadOptions(block_size=1 << 24)
    return pacsv.read_csv(path, read_options=read, convert_options=opts)


def _from_arrow(t: pa.Table, kind: str) -> Any:
    if kind == "arrow":
        return t
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(t)
    import pandas as pd

    # Decimals stay Arrow-backed (no Python Decimal per cell); text and floats take
    # pandas' own types.
    return t.to_pandas(types_mapper=lambda typ: pd.ArrowDtype(typ) if pa.types.is_decimal(typ) else None)


def _assumption_args(assumptions: dict[str, Any]) -> dict[str, Any]:
    allowed = set(_ASSUMPTION_KEYS) | {
        "params", "assumptions", "life_table", "jobs", "batch_size", "strict", "encoding",
    }  # fmt: skip
    unknown = sorted(set(assumptions) - allowed)
    if unknown:
        raise TypeError(
            f"unknown keyword(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    args = dict(assumptions)
    for k in _ASSUMPTION_KEYS:
        if args.get(k) is not None:
            args[k] = str(args[k])
    for k in ("params", "assumptions", "life_table"):
        if args.get(k) is not None:
            args[k] = os.fspath(args[k])
    return args


def _run_native(
    table: Any,
    segments: Any,
    want: str,
    assumptions: dict[str, Any],
    lines_before: int = 0,
    earlier_ids: list[str] | None = None,
) -> tuple[str, dict[str, Any], Any]:
    """Runs the pipeline on `table`; returns (path of the wanted CSV, summary, dir)."""
    args = _assumption_args(assumptions)
    tmp = tempfile.TemporaryDirectory(prefix="yanglao-", dir=_scratch())
    try:
        inp = os.path.join(tmp.name, "scenarios.csv")
        out = os.path.join(tmp.name, "results.csv")
        _write_csv(table, inp)
        seg = None
        if segments is not None:
            seg = os.path.join(tmp.name, "segments.csv")
            _write_csv(segments, seg)
        paths_out = os.path.join(tmp.name, "paths.csv") if want == "paths" else None
        summary = _native.run_files(
            inp,
            out,
            segments=seg,
            paths=paths_out,
            lines_before=lines_before,
            earlier_ids=earlier_ids or [],
            **args,
        )
    except BaseException:
        tmp.cleanup()
        raise
    for w in summary["warnings"]:
        warnings.warn(w, YanglaoWarning, stacklevel=3)
    for u in summary["unattached"]:
        warnings.warn(u, YanglaoWarning, stacklevel=3)
    return (paths_out if want == "paths" else out), summary, tmp


def run(table: Any, *, segments: Any = None, money: str = "decimal", **assumptions: Any) -> Any:
    """Results of ``yanglao run`` for the scenario rows of ``table``.

    ``table``: pandas or polars DataFrame or pyarrow Table with the scenario columns of the
    contract (any order; unknown columns are ignored with a warning). ``segments``: a table
    of spells (the ``--segments`` file), of any of those kinds. ``money``: see the module
    documentation. ``assumptions``: ``as_of`` (YYYY-MM), ``wage_growth``, ``account_rate``,
    ``indexation``, ``discount_rate`` (fractions, str/float/Decimal), ``params`` (a
    parameter directory), ``assumptions`` (a TOML file), ``life_table`` (CSV), ``jobs``,
    ``batch_size``, ``strict``, ``encoding`` — the command line's flags.

    Returns the same kind as ``table``, one row per input row in input order. Rows that
    cannot be computed have status ``error`` and a message, as in the command line; a
    fatal problem (missing required column, ``strict`` and an error row) raises
    ValueError with the command line's message.
    """
    _types([], money)
    kind = _kind(table)
    path, _summary, tmp = _run_native(table, segments, "results", assumptions)
    with tmp:
        return _from_arrow(_read_csv(path, RESULT_COLUMNS, money), kind)


def paths(table: Any, *, segments: Any = None, money: str = "decimal", **assumptions: Any) -> Any:
    """Yearly paths (``yanglao run --paths``) for the scenario rows of ``table``: one row
    per scenario and calendar year, columns ``PATHS_COLUMNS``. Arguments as for
    :func:`run`; rows that end in error have no paths."""
    _types([], money)
    kind = _kind(table)
    path, _summary, tmp = _run_native(table, segments, "paths", assumptions)
    with tmp:
        return _from_arrow(_read_csv(path, PATHS_COLUMNS, money), kind)


def explain(
    table: Any, id: str, *, segments: Any = None, lang: str = "zh", format: str = "text", **assumptions: Any
) -> Any:
    """``yanglao explain`` for the row of ``table`` whose id is ``id``: the derivation of
    its pension step by step (rule and document, formula, inputs with provenance and
    source, rounding, result). ``format``: ``"text"`` or ``"markdown"`` (a str, as the
    command prints it) or ``"json"`` (the command's JSON, parsed: every value a string as
    ``run`` prints it). ``lang``: ``"zh"`` or ``"en"``. Keywords as for :func:`run`
    (without ``jobs``, ``batch_size``, ``strict``). A missing id or a row in error raises
    ValueError with the command's message."""
    import json

    args = _assumption_args(assumptions)
    for k in ("jobs", "batch_size", "strict"):
        if k in args:
            raise TypeError(f"explain takes no {k}")
    with tempfile.TemporaryDirectory(prefix="yanglao-", dir=_scratch()) as d:
        inp = os.path.join(d, "scenarios.csv")
        _write_csv(table, inp)
        seg = None
        if segments is not None:
            seg = os.path.join(d, "segments.csv")
            _write_csv(segments, seg)
        text, warns = _native.explain_file(inp, str(id), segments=seg, lang=lang, format=format, **args)
    for w in warns:
        warnings.warn(w, YanglaoWarning, stacklevel=2)
    return json.loads(text) if format == "json" else text


def run_csv(
    scenarios: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    segments: str | os.PathLike[str] | None = None,
    paths: str | os.PathLike[str] | None = None,
    **assumptions: Any,
) -> dict[str, Any]:
    """``yanglao run SCENARIOS -o OUTPUT [--segments] [--paths]`` on files, without the
    command line: returns the summary (rows, ok, ineligible, error, warnings, unattached,
    seconds)."""
    args = _assumption_args(assumptions)
    return _native.run_files(
        os.fspath(scenarios),
        os.fspath(output),
        segments=None if segments is None else os.fspath(segments),
        paths=None if paths is None else os.fspath(paths),
        **args,
    )


def _run_part(table: Any, money: str, lines_before: int, earlier_ids: list[str], assumptions: dict[str, Any]) -> Any:
    """One partition of a larger table (``yanglao.dask``)."""
    kind = _kind(table)
    path, _summary, tmp = _run_native(table, None, "results", assumptions, lines_before, earlier_ids)
    with tmp:
        return _from_arrow(_read_csv(path, RESULT_COLUMNS, money), kind)
