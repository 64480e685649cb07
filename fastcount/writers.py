"""Writers: counts in an output format, and the output file that appears only when complete.

A format is one function registered with :func:`output_format`; it gets the
``(word, count)`` pairs in the order to write them and a text stream (or a
binary one, with ``binary=True``). The command line offers every registered
format under ``--format``:

>>> @output_format("words", help="the words alone, one per line")   # doctest: +SKIP
... def _words(items, out):
...     out.writelines(f"{word}\\n" for word, _ in items)

:class:`AtomicOutput` is the ``-o`` file: written under a temporary name in
its directory and renamed over the destination only when complete, so a
reader never sees a partial file under the final name. Where the platform
allows (Linux ``O_TMPFILE``), the temporary file has no name at all until
it is complete, so nothing is left behind even by ``SIGKILL``; elsewhere it
is a hidden ``.NAME.XXXX.tmp`` removed on any error, on Ctrl-C and (with the
command's handler, see :mod:`fastcount.cli`) on ``SIGTERM``.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import secrets
import tempfile
from typing import IO, Callable, Dict, List, Mapping, NamedTuple, Sequence, Tuple

__all__ = ["FORMATS", "Format", "output_format", "write_counts", "sorted_items", "AtomicOutput"]

Items = Sequence[Tuple[str, int]]


class Format(NamedTuple):
    """One output format: how to write it, and its line in ``--format``'s help."""

    write: Callable[[Items, IO], None]
    help: str
    #: True: ``write`` gets a binary stream; False: a UTF-8 text stream
    binary: bool = False


#: Every output format, by name, in the order the help lists them.
FORMATS: Dict[str, Format] = {}


def output_format(name: str, *, help: str, binary: bool = False):
    """Register the decorated ``write(items, out)`` as the output format ``name``."""

    def register(write: Callable[[Items, IO], None]):
        FORMATS[name] = Format(write, help, binary)
        return write

    return register


def sorted_items(counts: Mapping[str, int]) -> List[Tuple[str, int]]:
    """``counts`` as ``(word, count)`` pairs, most common first, ties by word."""
    return sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))


def write_counts(items: Items, out: IO, fmt: str) -> None:
    """Write ``(word, count)`` pairs to ``out`` in the format ``fmt`` (a name in :data:`FORMATS`)."""
    try:
        spec = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}") from None
    spec.write(items, out)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tagged(items: Items) -> bool:
    """Are the keys (word, tag) pairs (a count by part of speech, --with-pos)?"""
    return bool(items) and isinstance(items[0][0], tuple)


@output_format(
    "tsv", help=r"word<TAB>count lines, word<TAB>tag<TAB>count with --with-pos (\, tab, newline "
    r"and CR in a word written as \\, \t, \n, \r)"
)
def _tsv(items: Items, out: IO) -> None:
    if _tagged(items):
        out.writelines(f"{w.translate(_TSV_ESCAPES)}\t{t.translate(_TSV_ESCAPES)}\t{c}\n"
                       for (w, t), c in items)
    else:
        out.writelines(f"{w.translate(_TSV_ESCAPES)}\t{c}\n" for w, c in items)


@output_format("csv", help="word,count lines (word,tag,count with --with-pos) after a header "
               "(RFC 4180 quoting)")
def _csv(items: Items, out: IO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    if _tagged(items):
        writer.writerow(("word", "tag", "count"))
        writer.writerows((w, t, c) for (w, t), c in items)
    else:
        writer.writerow(("word", "count"))
        writer.writerows(items)


@output_format("json", help="one JSON object, word -> count, in the order written (with "
               "--with-pos: an array of [word, tag, count])")
def _json(items: Items, out: IO) -> None:
    if _tagged(items):
        json.dump([[w, t, c] for (w, t), c in items], out, ensure_ascii=False, indent=0)
    else:
        json.dump(dict(items), out, ensure_ascii=False, indent=0)
    out.write("\n")


class AtomicOutput:
    """A file that appears under ``path`` only when :meth:`commit` is called.

    Created at once in ``path``'s directory, so an unwritable destination
    fails before any work is done; :meth:`discard` (or leaving a ``with``
    block by an exception) removes every trace of it. ``binary`` gives a
    binary :attr:`file`; otherwise it is UTF-8 text, written as is
    (``newline=""``). The file gets the permissions a new file would get
    (``0666`` less the umask), whatever the temporary mechanism.
    """

    def __init__(self, path: str, binary: bool = False):
        self.path = path
        self._directory = os.path.dirname(os.path.abspath(path))
        self._name = os.path.basename(path)
        self._tmp = None  # the temporary's name, when it has one
        fd = _open_unnamed(self._directory)
        if fd is None:
            fd, self._tmp = tempfile.mkstemp(dir=self._directory, prefix=f".{self._name}.", suffix=".tmp")
        self._fd = fd
        if binary:
            self.file: IO = os.fdopen(fd, "wb")
        else:
            self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        """Write out what is buffered and rename the file into place."""
        self.file.flush()
        if self._tmp is None:
            # Give the unnamed file a name of its own, then rename that over
            # the destination (linkat cannot replace an existing file).
            self._tmp = _link_unnamed(self._fd, self._directory, self._name)
        else:
            os.chmod(self._tmp, 0o666 & ~_umask())  # mkstemp makes 0600
        self.file.close()
        os.replace(self._tmp, self.path)
        self._tmp = None

    def discard(self) -> None:
        """Close and remove the temporary file (nothing happens once committed)."""
        try:
            self.file.close()
        except OSError:
            pass  # a write that failed (disk full) fails again on close: the file goes anyway
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None

    def __enter__(self) -> "AtomicOutput":
        return self

    def __exit__(self, *exc_info) -> None:
        if exc_info[0] is None and not self.file.closed:
            self.commit()
        else:
            self.discard()


def _open_unnamed(directory: str):
    """An fd of a new file in ``directory`` with no name yet (Linux O_TMPFILE), or None."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or os.link not in os.supports_dir_fd or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    except OSError as err:
        if err.errno in _NO_TMPFILE:
            return None  # a file system without O_TMPFILE: mkstemp's name instead
        raise


# What open(O_TMPFILE) says where the file system or kernel lacks it.
_NO_TMPFILE = frozenset(
    getattr(errno, name) for name in ("EOPNOTSUPP", "ENOTSUP", "EISDIR", "EINVAL") if hasattr(errno, name)
)


def _link_unnamed(fd: int, directory: str, name: str) -> str:
    """Give the unnamed file ``fd`` a new hidden name beside ``name``; return it."""
    # linkat(AT_SYMLINK_FOLLOW) on the /proc link is the documented way; os.link
    # calls linkat only when given a directory fd (link() would not follow it).
    dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for _ in range(100):
            tmp = f".{name}.{secrets.token_hex(4)}.tmp"
            try:
                os.link(f"/proc/self/fd/{fd}", tmp, dst_dir_fd=dir_fd, follow_symlinks=True)
                return os.path.join(directory, tmp)
            except FileExistsError:
                continue
    finally:
        os.close(dir_fd)
    raise FileExistsError(errno.EEXIST, "no free temporary name", os.path.join(directory, name))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
