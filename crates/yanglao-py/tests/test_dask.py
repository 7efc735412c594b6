"""yanglao.dask on a LocalCluster with several worker processes: the command line's
results, row for row and byte for byte, in order."""

from __future__ import annotations

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

import yanglao
import yanglao.dask
from conftest import csv_bytes, read_text


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()


def as_text(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)


def test_csv_partitions_give_the_cli_bytes(client, scenarios, cli_results):
    ddf = dd.read_csv(scenarios, dtype=str, keep_default_na=False, blocksize=60_000)
    assert ddf.npartitions >= 4
    out = yanglao.dask.run(ddf, money="str")
    assert list(out.columns) == yanglao.RESULT_COLUMNS
    got = out.compute()
    assert csv_bytes(as_text(got)) == cli_results.read_bytes()
    # The duplicate of the first row's id sits in the last partition; its message and
    # the line numbers of the error rows are the whole file's.
    errors = got[got.status == "error"]
    assert errors.message.str.contains("duplicate id").sum() == 1


def test_decimal_results_are_the_same_numbers(client, scenarios, cli_results):
    ddf = dd.read_csv(scenarios, dtype=str, keep_default_na=False, blocksize=60_000)
    got = yanglao.dask.run(ddf).compute().reset_index(drop=True)
    want = read_text(cli_results)
    for c in ("total", "pension_wealth", "basic", "own_paid"):
        assert isinstance(got[c].dtype, pd.ArrowDtype)
        assert pa.array(got[c]).cast(pa.string()).to_pylist() == want[c].to_pylist(), c


def test_parquet_in_and_out(client, scenarios, cli_results, tmp_path):
    src = tmp_path / "scenarios"
    src.mkdir()
    table = read_text(scenarios)
    # Three files of unequal size: the partitions of the run.
    for k, (a, b) in enumerate([(0, 1000), (1000, 2200), (2200, table.num_rows)]):
        pq.write_table(table.slice(a, b - a), src / f"part-{k}.parquet")
    dest = tmp_path / "results"
    yanglao.dask.run_parquet(str(src), str(dest), money="str")
    got = dd.read_parquet(str(dest)).compute()
    assert csv_bytes(as_text(got)) == cli_results.read_bytes()
    # Decimal money is written as Parquet decimals.
    yanglao.dask.run_parquet(str(src), str(tmp_path / "dec"))
    schema = pq.read_schema(next((tmp_path / "dec").glob("*.parquet")))
    assert pa.types.is_decimal(schema.field("total").type)


def test_without_the_duplicate_pass_only_partitions_are_checked(client, scenarios):
    ddf = dd.read_csv(scenarios, dtype=str, keep_default_na=False, blocksize=60_000)
    got = yanglao.dask.run(ddf, money="str", check_duplicates=False).compute()
    assert not got.message.fillna("").str.contains("duplicate id").any()


def test_missing_column_fails_before_computing(client):
    ddf = dd.from_pandas(pd.DataFrame({"id": ["a", "b"], "birth": ["1970-01", "1971-01"]}), npartitions=2)
    with pytest.raises(ValueError, match="scheme"):
        yanglao.dask.run(ddf)
