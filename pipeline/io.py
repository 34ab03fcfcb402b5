"""Reading and writing files safely: atomic table writes and a checksummed JSON cache."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schemas import Table, validate

_CHUNK = 1 << 20
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (the file is only read)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def hash_files(root: Path, rel_paths: list[str], stat_cache: Path) -> dict[str, str]:
    """SHA-256 of each file, re-reading only files whose size or mtime changed.

    The (size, mtime_ns, sha256) of every file is kept in `stat_cache` (a JSON file in the
    interim folder), so an unchanged corpus is hashed from its directory listing alone.
    """
    known = read_cache(stat_cache) or {}
    hashes, fresh = {}, {}
    for rel in rel_paths:
        stat = (root / rel).stat()
        entry = known.get(rel)
        if entry and entry[0] == stat.st_size and entry[1] == stat.st_mtime_ns:
            digest = entry[2]
        else:
            digest = sha256_file(root / rel)
        hashes[rel] = digest
        fresh[rel] = [stat.st_size, stat.st_mtime_ns, digest]
    if fresh != known:
        write_cache(stat_cache, fresh)
    return hashes


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it into place only if the block succeeds.

    A reader never sees a half-written file: it sees the old one until `os.replace`.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are for everyone to read
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def remove_stale_temporaries(*folders: Path) -> int:
    """Delete temporary files a killed build left behind (`.NAME.*.tmp`); returns how many."""
    removed = 0
    for folder in folders:
        if folder.exists():
            for tmp in folder.rglob(".*.tmp"):
                tmp.unlink(missing_ok=True)
                removed += 1
    return removed


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_table(frame: pd.DataFrame, table: Table, out_dir: Path) -> list[Path]:
    """Validate `frame` against `table` and write NAME.parquet and NAME.csv atomically.

    Both files are written to temporary names first and then moved into place, so an
    interrupted build leaves the previous pair intact. Output is deterministic: no index,
    fixed column order, '\\n' line ends, no timestamps in the parquet metadata.

    Raises:
        SchemaError: the frame does not match the schema (nothing is written).
    """
    validate(frame, table)
    parquet_path = out_dir / f"{table.name}.parquet"
    csv_path = out_dir / f"{table.name}.csv"
    arrow = pa.Table.from_pandas(frame, preserve_index=False)
    with atomic_path(parquet_path) as tmp_parquet, atomic_path(csv_path) as tmp_csv:
        pq.write_table(arrow, tmp_parquet)
        frame.to_csv(tmp_csv, index=False, lineterminator="\n", encoding="utf-8")
    return [parquet_path, csv_path]


def _payload_checksum(payload: Any) -> str:
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(blob).hexdigest()


def write_cache(path: Path, payload: Any) -> None:
    """Write a JSON cache entry with a checksum of its payload, atomically."""
    entry = {"checksum": _payload_checksum(payload), "payload": payload}
    write_text_atomic(path, json.dumps(entry, ensure_ascii=False, sort_keys=True))


def read_cache(path: Path) -> Any | None:
    """Return a cache entry's payload, or None if it is missing, unreadable or corrupt.

    A corrupt entry (bad JSON, checksum mismatch) is not trusted: the caller rebuilds it.
    """
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        payload = entry["payload"]
        if entry["checksum"] != _payload_checksum(payload):
            return None
        return payload
    except (OSError, ValueError, KeyError, TypeError):
        return None
