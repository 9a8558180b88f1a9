"""Per-process state of the web app: the read-only store (one DuckDB connection per thread)
and the caches.

The store file is opened read-only, so nothing can change it while the server runs (DuckDB
refuses a writer while a reader holds the file): every cached answer stays valid for the life
of the process.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from comity.store.db import Store

T = TypeVar("T")


class LRU:
    """A small thread-safe LRU cache (values are computed outside the lock).

    ``maxsize`` bounds the number of entries; with ``sizeof`` (bytes of a value) and
    ``max_bytes`` the total size is bounded too, and a value larger than an eighth of it is not
    kept at all."""

    def __init__(self, maxsize: int, *, max_bytes: int | None = None,
                 sizeof: Callable[[Any], int] | None = None) -> None:
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self.sizeof = sizeof
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self.nbytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            try:
                value = self._data[key]
            except KeyError:
                self.misses += 1
                return None
            self._data.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        size = self.sizeof(value) if self.sizeof is not None else 0
        if self.max_bytes is not None and size > self.max_bytes // 8:
            return
        with self._lock:
            if key in self._data:
                self.nbytes -= self._sizes.pop(key, 0)
            self._data[key] = value
            self._sizes[key] = size
            self.nbytes += size
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize or (
                    self.max_bytes is not None and self.nbytes > self.max_bytes):
                old, _ = self._data.popitem(last=False)
                self.nbytes -= self._sizes.pop(old, 0)

    def get_or_compute(self, key: Hashable, fn: Callable[[], T]) -> T:
        hit = self.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        value = fn()
        self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._data)


class WebContext:
    """What every request handler needs: the store (per thread) and the caches."""

    def __init__(self, db_path: str | Path) -> None:
        from comity.store.db import Store

        self.db_path = Path(db_path)
        # open once here so that a missing or locked store fails at start-up, not per request
        probe = Store(self.db_path, read_only=True)
        self._local = threading.local()
        self._local.store = probe
        self._all: list[Store] = [probe]
        self._lock = threading.Lock()
        # serialised bodies of GET answers (body, media type, headers), at most 256 MiB
        self.responses = LRU(20000, max_bytes=256 << 20, sizeof=lambda v: len(v[0]) + 200)
        self.results = LRU(64)  # Python results (frames, claim results) of costlier calls
        # expensive work (big bootstraps, articles) runs here, one at a time, apart from the
        # shared pool that serves cheap queries; a semaphore bounds how many may wait
        from concurrent.futures import ThreadPoolExecutor

        self.heavy = ThreadPoolExecutor(max_workers=1, thread_name_prefix="comity-heavy")
        self.heavy_slots = threading.BoundedSemaphore(4)
        self.matrices = LRU(128)  # per-year all-dyad tables (the alignment fast path, ~1 MB)

    @property
    def store(self) -> Store:
        """This thread's read-only store (DuckDB connections are not shared across threads)."""
        s = getattr(self._local, "store", None)
        if s is None:
            from comity.store.db import Store

            s = Store(self.db_path, read_only=True)
            self._local.store = s
            with self._lock:
                self._all.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            for s in self._all:
                with contextlib.suppress(Exception):
                    s.close()
            self._all.clear()
