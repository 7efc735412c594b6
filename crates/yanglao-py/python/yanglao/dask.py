"""Population runs on Dask (``dask.distributed``): the engine mapped over the partitions
of a Dask DataFrame, results in the input's order.

``yanglao.dask.run(ddf)`` gives the results as a Dask DataFrame whose partitions are those
of ``ddf`` (same index); ``yanglao.dask.run_parquet(src, dst)`` reads Parquet and writes
Parquet through pyarrow. Whatever scheduler is active runs it: a ``distributed.Client`` on
a ``LocalCluster``, a Slurm cluster (dask-jobqueue) or Kubernetes (dask-kubernetes); see
docs/python.md.

The results are those of ``yanglao run`` on the whole table as one file, row for row and
byte for byte, including the rows that the table as a whole makes errors:

- *Duplicate ids across partitions.* Before the run, one pass over the ids (a Dask
  group-by, so no machine holds all ids) finds the ids that occur in more than one
  partition, with the first partition of each; a partition then treats those ids that an
  earlier partition has as already seen. As in one file, the first row with an id is
  computed and every later one is an ``error`` row ("duplicate id").
- *Line numbers* in messages are those of the table written as one CSV with its header on
  line 1 (row i, from 0, on line i + 2 when no cell holds a line break): the same pass
  counts each partition's lines.

The pass reads the ids and the text columns once more; ``check_duplicates=False`` skips
it (duplicates are then found only within a partition, and line numbers count from each
partition's start).

Threads: each partition is computed with ``jobs`` worker threads (default 1): Dask
provides the parallelism, one task per worker thread, so give each worker as many
threads as cores (or one thread and ``jobs`` = its cores).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

import yanglao as _y

__all__ = ["run", "run_parquet"]

# Bytes that the command line trims around an id (ASCII whitespace).
_TRIM = " \t\n\x0c\r"


def _ids(pdf: Any) -> pa.Array:
    """The partition's ids as the pipeline sees them: text, trimmed, empty ones left out."""
    col = pdf["id"]
    arr = pa.array(col, from_pandas=True)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    arr = pc.utf8_trim(arr, characters=_TRIM)
    return pc.filter(arr, pc.and_kleene(pc.is_valid(arr), pc.not_equal(arr, "")))


def _lines(pdf: Any) -> int:
    """Lines the partition's rows take in a CSV: one per row, plus the line breaks inside
    text cells (LF, CR or CRLF, as the command line counts them)."""
    n = len(pdf)
    for name in pdf.columns:
        col = pdf[name]
        if col.dtype.kind in "biufcmM":
            continue
        arr = pa.array(col, from_pandas=True)
        if pa.types.is_dictionary(arr.type):
            arr = arr.cast(arr.type.value_type)
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            continue
        count = lambda s: pc.sum(pc.count_substring(arr, s)).as_py() or 0  # noqa: E731
        lf = count("\n")
        cr = count("\r")
        if lf or cr:
            n += lf + cr - count("\r\n")
    return n


def _survey(pdf: Any, partition_info: dict | None = None) -> Any:
    """Per partition: its number and line count, and its distinct ids."""
    import pandas as pd

    k = partition_info["number"] if partition_info else 0
    ids = pc.unique(_ids(pdf)) if "id" in pdf.columns else pa.array([], pa.string())
    ids = ids.cast(pa.string())
    return pd.DataFrame({"id": pd.Series(pd.arrays.ArrowExtensionArray(ids)), "part": pd.Series(k, index=range(len(ids)), dtype="int64")})


def _lines_of(pdf: Any, partition_info: dict | None = None) -> Any:
    import pandas as pd

    k = partition_info["number"] if partition_info else 0
    return pd.DataFrame({"part": [k], "lines": [_lines(pdf)]})


def _part(
    pdf: Any,
    money: str,
    offsets: list[int] | None,
    recurring: tuple[list[str], list[int]] | None,
    assumptions: dict[str, Any],
    partition_info: dict | None = None,
) -> Any:
    k = partition_info["number"] if partition_info else 0
    lines_before = offsets[k] if offsets else 0
    earlier: list[str] = []
    if recurring and recurring[0] and "id" in pdf.columns:
        ids, first = recurring
        seen_before = pa.array([i for i, f in zip(ids, first) if f < k], pa.string())
        if len(seen_before):
            here = pc.unique(_ids(pdf))
            earlier = pc.filter(here, pc.is_in(here, value_set=seen_before)).to_pylist()
    out = _y._run_part(pdf, money, lines_before, earlier, assumptions)
    out.index = pdf.index
    return out


def run(ddf: Any, *, money: str = "decimal", check_duplicates: bool = True, **assumptions: Any) -> Any:
    """Results of ``yanglao run`` for every row of the Dask DataFrame ``ddf``, as a Dask
    DataFrame with the same partitions and index (lazy: ``.compute()``,
    ``.to_parquet()``). Keywords as for :func:`yanglao.run` (``jobs`` defaults to 1
    here). A fatal problem (a missing required column) is raised here, before anything
    is computed."""
    import dask

    assumptions.setdefault("jobs", 1)
    # The header check and the result types, on the driver: the empty frame through the
    # same pipeline.
    meta = _y._run_part(ddf._meta, money, 0, [], assumptions)
    offsets = None
    recurring: tuple[list[str], list[int]] | None = None
    if check_duplicates:
        import pandas as pd

        lines = ddf.map_partitions(
            _lines_of, meta=pd.DataFrame({"part": pd.Series(dtype="int64"), "lines": pd.Series(dtype="int64")})
        )
        if "id" in ddf.columns:
            ids = ddf.map_partitions(
                _survey, meta=pd.DataFrame(
                    {"id": pd.Series(dtype=pd.ArrowDtype(pa.string())), "part": pd.Series(dtype="int64")}
                ),
            )
            spans = ids.groupby("id")["part"].agg(["min", "max"], split_out=True)
            spans = spans[spans["min"] < spans["max"]]
            lines, spans = dask.compute(lines, spans)
            recurring = (list(map(str, spans.index)), [int(v) for v in spans["min"]])
        else:
            (lines,) = dask.compute(lines)
        per_part = dict(zip(lines["part"], lines["lines"]))
        offsets, total = [], 0
        for k in range(ddf.npartitions):
            offsets.append(total)
            total += int(per_part.get(k, 0))
    return ddf.map_partitions(
        _part, money, offsets, recurring, assumptions, meta=meta, align_dataframes=False
    )


def run_parquet(
    source: Any, dest: Any, *, money: str = "decimal", check_duplicates: bool = True, **assumptions: Any
) -> None:
    """Parquet in, Parquet out (through pyarrow): the scenarios at ``source`` (a file, a
    directory or a glob, as ``dask.dataframe.read_parquet`` takes) and the results written
    to the directory ``dest``, one file per partition, in order. Money columns are Parquet
    decimals (or text with ``money="str"``)."""
    import dask.dataframe as dd

    ddf = dd.read_parquet(source)
    out = run(ddf, money=money, check_duplicates=check_duplicates, **assumptions)
    out.to_parquet(dest, write_index=False)
