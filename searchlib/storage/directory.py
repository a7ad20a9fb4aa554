"""Where index files live: a folder on disk (memory-mapped reads) or memory (tests, small jobs).

A :class:`Directory` deals in names and bytes only. Files are written once and never changed;
``write_atomic`` (temp file, fsync, rename, fsync of the folder) is how a commit becomes visible.
The write lock is an ``flock`` on ``write.lock``: the kernel releases it when its holder dies, so a
lock left by a killed writer is taken over, and the file records the holder's pid for messages.
A forked child does not share a lock its parent holds (see :func:`_close_locks_in_child`).
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from searchlib.errors import CorruptIndexError, IndexNotFoundError, LockError

__all__ = ["Directory", "FileDirectory", "MemoryDirectory"]

LOCK_NAME = "write.lock"

_HELD_LOCKS: set[int] = set()
"""Descriptors of the write locks this process holds."""


def _close_locks_in_child() -> None:
    """In a forked child: close the inherited descriptors of the parent's write locks.

    An flock belongs to the open file, which a fork shares: a child that kept the descriptor
    (a bulk-indexing worker, any process a library user forks) would keep the index locked
    after its parent ended, naming the dead parent. Closing the child's copy leaves the
    parent's lock in place.
    """
    for fd in _HELD_LOCKS:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


class Directory(Protocol):
    """The storage a segment or manifest is read from and written to."""

    def list(self) -> list[str]: ...
    def exists(self, name: str) -> bool: ...
    def read(self, name: str) -> memoryview: ...
    def size(self, name: str) -> int: ...
    def write(self, name: str, chunks: Iterable[bytes]) -> int: ...
    def write_atomic(self, name: str, chunks: Iterable[bytes]) -> int: ...
    def delete(self, name: str) -> None: ...
    def sync(self) -> None: ...
    def lock(self, timeout: float) -> AbstractContextManager[None]: ...
    def describe(self, name: str) -> str: ...


class FileDirectory:
    """Index files in a folder; reads are memory-mapped (zero copy)."""

    def __init__(self, path: str | os.PathLike[str], create: bool = False) -> None:
        self.path = Path(path)
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        elif not self.path.is_dir():
            raise IndexNotFoundError(f"no index at {self.path} (folder does not exist)")

    def __repr__(self) -> str:
        return f"FileDirectory({str(self.path)!r})"

    def describe(self, name: str) -> str:
        return str(self.path / name)

    def list(self) -> list[str]:
        # scandir knows each entry's type from the directory itself: no stat per file (a
        # search checks for a newer generation this way every time).
        with os.scandir(self.path) as entries:
            return sorted(e.name for e in entries if e.is_file())

    def exists(self, name: str) -> bool:
        return (self.path / name).is_file()

    def size(self, name: str) -> int:
        return (self.path / name).stat().st_size

    def read(self, name: str) -> memoryview:
        path = self.path / name
        try:
            with open(path, "rb") as f:
                if os.fstat(f.fileno()).st_size == 0:
                    raise CorruptIndexError(str(path), "empty file")
                return memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        except FileNotFoundError as exc:
            raise CorruptIndexError(str(path), "file listed by the index is missing") from exc

    def write(self, name: str, chunks: Iterable[bytes]) -> int:
        """Write a new file and fsync it."""
        path = self.path / name
        n = 0
        with open(path, "wb") as f:
            for c in chunks:
                f.write(c)
                n += len(c)
            f.flush()
            os.fsync(f.fileno())
        return n

    def write_atomic(self, name: str, chunks: Iterable[bytes]) -> int:
        """Write to a temp file, fsync, rename over ``name``, fsync the folder."""
        tmp = f".{name}.tmp"
        n = self.write(tmp, chunks)
        os.replace(self.path / tmp, self.path / name)
        self.sync()
        return n

    def delete(self, name: str) -> None:
        try:
            (self.path / name).unlink()
        except FileNotFoundError:
            pass

    def sync(self) -> None:
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        """Hold the write lock; wait up to ``timeout`` seconds, then raise LockError."""
        path = self.path / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by exec'd programs
        _HELD_LOCKS.add(fd)
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "?"
                        raise LockError(
                            f"index {self.path} is locked by another writer (pid {holder}); "
                            f"waited {timeout:g}s"
                        ) from None
                    time.sleep(0.05)
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            if fd in _HELD_LOCKS:  # else a fork closed it: this is the child unwinding
                _HELD_LOCKS.discard(fd)
                os.close(fd)  # closing the descriptor releases the flock


class MemoryDirectory:
    """Index files held in memory: the same code path as on disk, for tests and small jobs."""

    def __init__(self) -> None:
        self._files: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryDirectory({len(self._files)} files)"

    def describe(self, name: str) -> str:
        return f"<memory>/{name}"

    def list(self) -> list[str]:
        return sorted(self._files)

    def exists(self, name: str) -> bool:
        return name in self._files

    def size(self, name: str) -> int:
        return len(self._files[name])

    def read(self, name: str) -> memoryview:
        try:
            return memoryview(self._files[name])
        except KeyError as exc:
            raise CorruptIndexError(
                self.describe(name), "file listed by the index is missing"
            ) from exc

    def write(self, name: str, chunks: Iterable[bytes]) -> int:
        data = b"".join(chunks)
        self._files[name] = data
        return len(data)

    write_atomic = write

    def delete(self, name: str) -> None:
        self._files.pop(name, None)

    def sync(self) -> None:
        pass

    @contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        if not self._lock.acquire(timeout=max(0.0, timeout)):
            raise LockError(f"in-memory index is locked by another writer (pid {os.getpid()})")
        try:
            yield
        finally:
            self._lock.release()
