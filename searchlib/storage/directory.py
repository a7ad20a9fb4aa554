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
import stat
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from searchlib.errors import CorruptIndexError, IndexNotFoundError, LockError

__all__ = ["Directory", "FileDirectory", "MemoryDirectory", "deferred_sync"]

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

_DEFERRED = threading.local()


@contextmanager
def deferred_sync() -> Iterator[None]:
    """In this thread, :meth:`FileDirectory.write` does not fsync the files it writes: the
    caller fsyncs them (:meth:`FileDirectory.sync_file`, in a thread of its own) before a
    commit names them, and writes them again if that fails
    (:meth:`~searchlib.index.writer.IndexWriter.flush`)."""
    before = getattr(_DEFERRED, "on", False)
    _DEFERRED.on = True
    try:
        yield
    finally:
        _DEFERRED.on = before


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
    """Index files in a folder; reads are memory-mapped (zero copy).

    The folder is a boundary: it is opened once and every file is reached relative to that
    descriptor by a plain name (no ``/``, never ``.`` or ``..``). Reads open regular files only
    and never follow a symbolic link (a FIFO, device or link raises :class:`CorruptIndexError`);
    writes create a new file (``O_EXCL | O_NOFOLLOW``) after removing whatever entry had the
    name, so a planted link is replaced, never written through.
    """

    def __init__(
        self, path: str | os.PathLike[str], create: bool = False, *, sync: bool = True
    ) -> None:
        """``sync=False``: :meth:`write` leaves a file's fsync to :meth:`sync_file`, which the
        writer calls before a commit names the file (a bulk worker, in a thread, while it
        analyses its next segment)."""
        self.path = Path(path)
        self._prefix = str(self.path / "x")[:-1]  # what describe() puts before a plain name
        self.sync_writes = sync
        if create:
            self.path.mkdir(parents=True, exist_ok=True)
        try:
            self._fd = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise IndexNotFoundError(f"no index at {self.path} (folder does not exist)") from exc
        self._close = weakref.finalize(self, os.close, self._fd)

    def __repr__(self) -> str:
        return f"FileDirectory({str(self.path)!r})"

    def close(self) -> None:
        """Close the folder's descriptor (files already mapped stay readable)."""
        self._close()

    def describe(self, name: str) -> str:
        # str(self.path / name), without pathlib (some 20 us a call, two calls a file a
        # reader opens) for a plain name: the folder's path, a "/" and the name
        if name and "/" not in name and name not in (".", ".."):
            return self._prefix + name
        return str(self.path / name)

    def _name(self, name: str) -> str:
        """``name`` when it names an entry of this folder, else CorruptIndexError."""
        if not name or "/" in name or "\0" in name or name in (".", ".."):
            where = self.describe(name.replace("\0", "\\0"))
            raise CorruptIndexError(where, "not a file name inside the index folder")
        return name

    def _stat(self, name: str) -> os.stat_result | None:
        try:
            return os.stat(self._name(name), dir_fd=self._fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def list(self) -> list[str]:
        # scandir knows each entry's type from the directory itself: no stat per file (a
        # search checks for a newer generation this way every time). Links are not listed.
        # Each listing reads its own descriptor of the folder: scandir(fd) reads a duplicate
        # of fd, which shares the folder's read position with it, so two threads listing
        # through self._fd at once each missed entries the other had read (a search saw
        # "no manifest file" beside another; tests/index/test_reopen_race.py).
        fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=self._fd)
        try:
            with os.scandir(fd) as entries:
                return sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
        finally:
            os.close(fd)

    def stamp(self) -> tuple[int, ...] | None:
        """What changes when an entry of the folder is added, removed or renamed (its
        modification and change times, inode, size and links), or None when it cannot be
        read: a reader compares it to skip listing a folder that has not changed (see
        :meth:`~searchlib.index.reader.IndexReader.reopen`)."""
        try:
            st = os.fstat(self._fd)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_size, st.st_nlink)

    def exists(self, name: str) -> bool:
        st = self._stat(name)
        return st is not None and stat.S_ISREG(st.st_mode)

    def size(self, name: str) -> int:
        st = self._stat(name)
        if st is None or not stat.S_ISREG(st.st_mode):
            raise CorruptIndexError(self.describe(name), "not a regular file of the index")
        return st.st_size

    def read(self, name: str) -> memoryview:
        where = self.describe(name)
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(self._name(name), flags, dir_fd=self._fd)
        except FileNotFoundError as exc:
            raise CorruptIndexError(where, "file listed by the index is missing") from exc
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CorruptIndexError(where, "is a symbolic link (not followed)") from exc
            raise
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise CorruptIndexError(where, "not a regular file")
            if st.st_size == 0:
                raise CorruptIndexError(where, "empty file")
            return memoryview(mmap.mmap(fd, 0, access=mmap.ACCESS_READ))
        finally:
            os.close(fd)

    def write(self, name: str, chunks: Iterable[bytes]) -> int:
        """Create ``name`` anew (replacing any entry of that name, a link included), fsync it.

        On failure (a full disk) the partial file is removed.
        """
        self._name(name)
        self.delete(name)
        fd = os.open(
            name,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
            0o644,
            dir_fd=self._fd,
        )
        n = 0
        try:
            with os.fdopen(fd, "wb", closefd=True) as f:
                for c in chunks:
                    f.write(c)
                    n += len(c)
                f.flush()
                if self.sync_writes and not getattr(_DEFERRED, "on", False):
                    os.fsync(f.fileno())
        except BaseException:
            self.delete(name)
            raise
        return n

    def sync_file(self, name: str) -> None:
        """fsync the file ``name``, written without its fsync: by a ``sync=False`` directory
        (a bulk worker's) or under :func:`deferred_sync` (the one-process writer's flush).

        Call it once: when it raises (EIO), the kernel may have dropped the pages it could not
        write and marked them clean, so a second fsync succeeds without them; the file must
        be written again, not synced again (see
        :meth:`~searchlib.index.writer.IndexWriter.flush`)."""
        fd = os.open(self._name(name), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=self._fd)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def write_atomic(self, name: str, chunks: Iterable[bytes]) -> int:
        """Write to a temp file, fsync, rename over ``name``, fsync the folder."""
        tmp = f".{self._name(name)}.tmp"
        n = self.write(tmp, chunks)
        try:
            os.replace(tmp, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except BaseException:
            self.delete(tmp)
            raise
        self.sync()
        return n

    def delete(self, name: str) -> None:
        try:
            os.unlink(self._name(name), dir_fd=self._fd)
        except FileNotFoundError:
            pass

    def sync(self) -> None:
        os.fsync(self._fd)

    @contextmanager
    def lock(self, timeout: float) -> Iterator[None]:
        """Hold the write lock; wait up to ``timeout`` seconds, then raise LockError.

        ``write.lock`` must be a regular file with one link: a link planted under that name
        is refused, never followed (taking the lock truncates the file to write the pid).
        """
        where = self.describe(LOCK_NAME)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(LOCK_NAME, flags, 0o644, dir_fd=self._fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise LockError(f"{where} is a symbolic link: refusing to follow it") from None
            raise
        _HELD_LOCKS.add(fd)  # closed in forked children (see _HELD_LOCKS)
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
                raise LockError(f"{where} is not a plain file of the index: refusing to use it")
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
