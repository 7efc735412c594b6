"""yanglao.run / paths against the command line on the same rows."""

from __future__ import annotations

import decimal

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

import yanglao
from conftest import EXAMPLES, cli, csv_bytes, read_text


def text_table(path) -> pa.Table:
    """Scenarios as pyarrow, every cell text (what an analyst gets with dtype=str)."""
    return read_text(path)


def test_columns_are_the_command_lines(cli_results):
    header = cli_results.read_text().split("\n", 1)[0].split(",")
    assert yanglao.RESULT_COLUMNS == header
    # Every column has a declared type (a new column must be classified here).
    known = yanglao.MONEY | yanglao.NUMBERS | yanglao.INTEGERS | yanglao.TEXT
    assert set(header) <= known, set(header) - known
    assert set(yanglao.PATHS_COLUMNS) <= known


def test_arrow_text_results_are_the_cli_bytes(scenarios, cli_results):
    got = yanglao.run(text_table(scenarios), money="str")
    assert isinstance(got, pa.Table)
    assert csv_bytes(got) == cli_results.read_bytes()
    # The generated rows plus the four added ones, which include every kind of outcome.
    status = pc.value_counts(got["status"]).to_pylist()
    assert {s["values"] for s in status} >= {"ok", "error"}


def test_error_rows_say_what_the_cli_says(scenarios, cli_results):
    got = yanglao.run(text_table(scenarios), money="str").to_pandas()
    want = read_text(cli_results).to_pandas()
    errors = got[got.status == "error"]
    assert len(errors) >= 3
    dup = errors[errors.message.str.contains("duplicate id")]
    assert len(dup) == 1 and dup.iloc[0].message.startswith("line ")
    pd.testing.assert_frame_equal(errors, want[want.status == "error"])


def test_pandas_in_pandas_out_money_exact(scenarios, cli_results):
    df = pd.read_csv(scenarios, dtype=str, keep_default_na=False)
    got = yanglao.run(df)
    assert isinstance(got, pd.DataFrame)
    assert list(got.columns) == yanglao.RESULT_COLUMNS
    assert isinstance(got["total"].dtype, pd.ArrowDtype)
    assert pa.types.is_decimal(got["total"].dtype.pyarrow_dtype)
    want = read_text(cli_results)
    for c in yanglao.MONEY & set(got.columns):
        # Decimal to text keeps the two decimals: the CLI's cells exactly.
        assert pa.array(got[c]).cast(pa.string()).to_pylist() == want[c].to_pylist(), c
    for c in yanglao.NUMBERS & set(got.columns):
        expect = [None if v is None else decimal.Decimal(v) for v in want[c].to_pylist()]
        have = [None if v is None else decimal.Decimal(repr(v)) for v in pa.array(got[c]).to_pylist()]
        assert have == expect, c
    assert got.loc[0, "total"] == decimal.Decimal(want["total"][0].as_py())


def test_polars_in_polars_out(scenarios, cli_results):
    df = pl.read_csv(scenarios, infer_schema=False)
    got = yanglao.run(df, money="str")
    assert isinstance(got, pl.DataFrame)
    assert csv_bytes(got.to_arrow()) == cli_results.read_bytes()
    dec = yanglao.run(df)
    assert dec.schema["total"] == pl.Decimal(38, 2)


def test_money_float_and_bad_money():
    df = pd.read_csv(EXAMPLES / "employees.csv", dtype=str, keep_default_na=False)
    got = yanglao.run(df, money="float")
    assert got["total"].dtype == "float64"
    with pytest.raises(ValueError, match="money='cents'"):
        yanglao.run(df, money="cents")


def test_typed_columns_read_as_the_cli_reads_text(tmp_path):
    """Numbers, dates and nulls as pandas infers them give the results of the file."""
    path = EXAMPLES / "employees.csv"
    out = tmp_path / "r.csv"
    cli("run", path, "-o", out)
    df = pd.read_csv(path)  # floats, ints, NaN for empty cells
    df["birth"] = pd.to_datetime(df["birth"])  # a date column: its month is used
    got = yanglao.run(df, money="str")
    assert csv_bytes(pa.Table.from_pandas(got, preserve_index=False)) == out.read_bytes()


def test_person_columns_are_the_cli(tmp_path):
    """The person columns (family, title, intellectual, tibet_years) as text and as pandas
    types (a bool column, an int column with nulls) give the command line's results."""
    from conftest import ROOT

    path = ROOT / "tests" / "data" / "person-rules.csv"
    out = tmp_path / "r.csv"
    cli("run", path, "-o", out)
    got = yanglao.run(text_table(path), money="str")
    assert csv_bytes(got) == out.read_bytes()
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["intellectual"] = df["intellectual"].map({"是": True, "true": True, "": None}).astype("boolean")
    df["tibet_years"] = pd.to_numeric(df["tibet_years"]).astype("Int64")
    got = yanglao.run(df, money="str")
    assert csv_bytes(pa.Table.from_pandas(got, preserve_index=False)) == out.read_bytes()
    assert "知识分子过渡系数" in got.set_index("id").loc["ningxia-intellectual", "message"]


def test_assumptions_are_the_flags(tmp_path):
    path = EXAMPLES / "employees.csv"
    out = tmp_path / "r.csv"
    cli("run", path, "-o", out, "--wage-growth", "0.05", "--discount-rate", "0.02", "--as-of", "2025-06")
    got = yanglao.run(text_table(path), money="str", wage_growth=0.05, discount_rate="0.02", as_of="2025-06")
    assert csv_bytes(got) == out.read_bytes()
    with pytest.raises(ValueError, match=r"wage_growth='2': out of range"):
        yanglao.run(text_table(path), wage_growth=2)
    with pytest.raises(TypeError, match="unknown keyword"):
        yanglao.run(text_table(path), wage_grwth=0.05)


def test_segments_and_paths_are_the_cli(tmp_path):
    sc, seg = EXAMPLES / "weifang-tiers.csv", EXAMPLES / "weifang-tiers-segments.csv"
    out, paths = tmp_path / "r.csv", tmp_path / "p.csv"
    cli("run", sc, "--segments", seg, "-o", out, "--paths", paths)
    got = yanglao.run(text_table(sc), segments=text_table(seg), money="str")
    assert csv_bytes(got) == out.read_bytes()
    p = yanglao.paths(text_table(sc), segments=text_table(seg), money="str")
    assert p.column_names == yanglao.PATHS_COLUMNS
    assert csv_bytes(p) == paths.read_bytes()
    typed = yanglao.paths(pd.read_csv(sc, dtype=str, keep_default_na=False), segments=text_table(seg))
    assert typed["year"].dtype == "int64" and isinstance(typed["cumulative_paid"].dtype, pd.ArrowDtype)


def test_fatal_problems_raise_with_the_cli_message():
    t = pa.table({"id": ["a"], "birth": ["1970-01"]})
    with pytest.raises(ValueError, match="scheme"):
        yanglao.run(t)
    with pytest.raises(TypeError, match="pandas or polars DataFrame or a pyarrow Table"):
        yanglao.run([{"id": "a"}])


def test_strict_raises_on_an_error_row():
    t = pa.table({"id": ["a"], "scheme": ["employee"], "birth": ["1970-13"]})
    assert yanglao.run(t, money="str")["status"].to_pylist() == ["error"]
    with pytest.raises(ValueError, match="--strict"):
        yanglao.run(t, strict=True)


def test_unknown_columns_warn():
    df = pd.read_csv(EXAMPLES / "employees.csv", dtype=str, keep_default_na=False)
    df["notes"] = "x"
    with pytest.warns(yanglao.YanglaoWarning, match="ignoring unknown columns: notes"):
        yanglao.run(df)


def test_empty_table_gives_typed_empty_results():
    df = pd.read_csv(EXAMPLES / "employees.csv", dtype=str, keep_default_na=False).iloc[:0]
    got = yanglao.run(df)
    assert len(got) == 0 and list(got.columns) == yanglao.RESULT_COLUMNS


def test_run_csv_is_the_cli(tmp_path):
    path = EXAMPLES / "employees.csv"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    cli("run", path, "-o", a)
    summary = yanglao.run_csv(path, b)
    assert summary["rows"] == 10 and summary["error"] == 0
    assert a.read_bytes() == b.read_bytes()


def test_jobs_and_batch_size_do_not_change_results(scenarios, cli_results):
    got = yanglao.run(text_table(scenarios), money="str", jobs=1, batch_size=7)
    assert csv_bytes(got) == cli_results.read_bytes()
    with pytest.raises(ValueError, match="batch_size=0"):
        yanglao.run(text_table(scenarios), batch_size=0)


def test_results_read_back_without_pandas_objects(scenarios):
    """Money comes back Arrow-backed (no Python Decimal per cell)."""
    got = yanglao.run(pd.read_csv(scenarios, dtype=str, keep_default_na=False))
    assert got["pension_wealth"].array.__class__.__name__ == "ArrowExtensionArray"
    assert pacsv is not None


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_explain_is_the_command(fmt):
    path = EXAMPLES / "employees.csv"
    done = cli("explain", path, "--id", "flex-0.6-15y", "--format", fmt, "--lang", "en")
    got = yanglao.explain(text_table(path), "flex-0.6-15y", format=fmt, lang="en")
    if fmt == "json":
        import json

        assert got == json.loads(done.stdout)
    else:
        assert got == done.stdout


def test_explain_unknown_id():
    with pytest.raises(ValueError, match="no row has id 'nope'"):
        yanglao.explain(text_table(EXAMPLES / "employees.csv"), "nope")
