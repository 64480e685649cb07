"""Readers: find the files a source names and turn them into a stream of texts.

A source is either an iterable of ``str`` (each item is one text) or one or
more paths: files, globs, directories, or ``"-"`` for standard input.
:func:`resolve_paths` finds the files (each directory walked once, symlinks
followed, hidden files and what ``include``/``exclude`` leave out skipped;
anything else skipped is reported) and checks that each can be read before
any text is produced, so a typo fails at once, not after an hour of
counting. Files are read as one text per line (the line ending, ``"\\n"``
or ``"\\r\\n"``, is not part of the text); ``.gz``, ``.bz2`` and ``.xz``
files are decompressed on the fly (strictly: :mod:`fastcount.compressed`);
with ``field=`` every line is a JSON object and the text is that field's
value (JSON lines).

Everything is streamed: a file is read in blocks of whole lines (a line is
never cut, however long), so memory holds a block at a time, whatever the
file's size. The reader only cuts blocks (:func:`read_pieces`); decoding
and splitting (:meth:`Block.texts`) happen where the texts are counted, in
the workers. Errors name the place: ``reviews.txt:1234: invalid utf-8 at
byte 17 of the line (b'\\xff'): invalid start byte``.

The same readers serve :func:`fastcount.count_words` (local files, stdin,
FIFOs: :func:`iter_pieces`) and :mod:`fastcount.dask` (any file object, e.g.
fsspec's, whole or a range of it: :func:`open_binary`, :func:`read_range`,
:func:`read_pieces`).
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import fnmatch
import glob
import io
import json
import os
import stat
import sys
import warnings
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from fastcount.compressed import SUFFIXES, CorruptStreamError, decompressing

__all__ = [
    "InputError",
    "InputDecodeError",
    "SkippedInputWarning",
    "Source",
    "resolve_paths",
    "open_binary",
    "is_compressed",
    "splittable",
    "Block",
    "read_pieces",
    "read_range",
    "count_lines_before",
    "iter_pieces",
    "iter_texts",
    "iter_lines",
    "json_field",
    "json_text",
    "path_specs",
    "check_field",
    "display_name",
    "STDIN",
]

#: The path that stands for standard input.
STDIN = "-"

_GLOB_CHARS = frozenset("*?[")

PathLike = Union[str, "os.PathLike[str]"]


class InputError(ValueError):
    """Bad input data: the message starts with ``path:line:`` (or the item).

    ``path`` is the file it is about (``"-"`` for stdin), when it is one.
    """

    def __init__(self, message: str, path: Optional[str] = None):
        super().__init__(message)
        self.path = path

    def __reduce__(self):
        return type(self), (str(self), self.path)


class InputDecodeError(InputError, UnicodeDecodeError):
    """Bytes in a file that do not decode; ``path`` and ``lineno`` say where.

    A :class:`UnicodeDecodeError` (and an :class:`InputError`), so code that
    catches either keeps working; its message names the file and line.
    """

    def __init__(self, path: str, lineno: int, err: UnicodeDecodeError):
        UnicodeDecodeError.__init__(
            self, err.encoding, err.object, err.start, err.end, err.reason
        )
        self.path = path
        self.lineno = lineno

    def __str__(self) -> str:
        bad = self.object[self.start : self.end]
        return (
            f"{self.path}:{self.lineno}: invalid {self.encoding} at byte "
            f"{self.start} of the line ({bad!r}): {self.reason}"
        )

    def __reduce__(self):
        # Plain fields, not the UnicodeDecodeError: tblib (installed by
        # distributed) pickles that one without its encoding.
        return (
            _rebuild_decode_error,
            (type(self), self.path, self.lineno, self.encoding, self.object,
             self.start, self.end, self.reason),
        )


def _rebuild_decode_error(cls, path, lineno, encoding, data, start, end, reason):
    return cls(path, lineno, UnicodeDecodeError(encoding, data, start, end, reason))


@dataclass(frozen=True)
class Source:
    """One resolved input: a readable file, or standard input (``path == "-"``)."""

    path: str
    #: size in bytes of the text it holds, when known without reading it
    #: (plain files); None for compressed files and stdin.
    size: Optional[int]


class SkippedInputWarning(UserWarning):
    """A file or directory :func:`resolve_paths` found and left out (the message says why)."""


def _is_path(obj) -> bool:
    return isinstance(obj, (str, os.PathLike))


def path_specs(source) -> Optional[List[str]]:
    """Return the path specs in ``source``, or None when it is an iterable of texts.

    A single ``str`` or :class:`os.PathLike` is a path spec; so is a list or
    tuple that holds at least one ``os.PathLike`` and nothing but paths. Any
    other iterable is a stream of texts (a list of ``str`` is texts, not file
    names: wrap names in :class:`pathlib.Path` or use a glob).
    """
    if _is_path(source):
        return [os.fspath(source)]
    if isinstance(source, (list, tuple)) and source:
        types = set(map(type, source))  # a C loop: a long list of texts costs little
        if any(t is not str and issubclass(t, os.PathLike) for t in types) and all(
            _is_path(s) for s in source
        ):
            return [os.fspath(s) for s in source]
    return None


def resolve_paths(
    specs: Sequence[PathLike],
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    on_skip: Optional[Callable[[str, str], Any]] = None,
    on_error: Optional[Callable[[str, OSError], Any]] = None,
) -> List[Source]:
    """Expand globs and directories and check that every file can be read.

    A spec that names an existing file is that file (a FIFO or device too:
    it is opened only to be read, once); an existing directory stands for
    every non-hidden regular file below it (sorted, recursively, following
    symlinks; a directory met again through a symlink, as in a symlink
    loop, is walked once); a spec with ``*``, ``?`` or ``[`` that names
    nothing is a glob (``**`` recurses, as a walk does); ``"-"`` is
    standard input.

    Files found by a walk or a glob (not those named) are kept if their name
    matches a pattern of ``include`` (when given) and none of ``exclude``:
    shell patterns matched against the file's name, or against its path as
    found (``*`` matching ``/`` too) for a pattern with a ``/``. What a walk
    or glob leaves out otherwise (FIFOs, devices and sockets, directories
    met again) is reported to ``on_skip(path, reason)`` (default: a
    :class:`SkippedInputWarning`).

    Raises :class:`FileNotFoundError` naming a spec that matches no file,
    and the :class:`OSError` of a file that cannot be opened (e.g.
    :class:`PermissionError`); with ``on_error``, such a file (not a named
    one that does not exist) is passed to ``on_error(path, error)`` and left
    out instead.
    """
    if on_skip is None:
        on_skip = _warn_skipped
    sources: List[Source] = []
    for spec in specs:
        spec = os.fspath(spec)
        if spec == STDIN:
            sources.append(Source(STDIN, None))
            continue
        if os.path.isdir(spec):
            files = _walk(spec, on_skip)
            what = "no files in directory"
        elif not os.path.lexists(spec) and _GLOB_CHARS & set(spec):
            files = _glob(spec, on_skip)
            what = "no file matches"
        else:
            files = [spec]
            what = ""
        if what and (include or exclude):
            files = _filtered(files, include, exclude)
            what += " (of those include/exclude keep)"
        if not files:
            raise FileNotFoundError(errno.ENOENT, what, spec)
        for path in files:
            try:
                sources.append(Source(path, _checked_size(path)))
            except OSError as err:
                if on_error is None or (not what and not os.path.lexists(path)):
                    raise
                on_error(path, err)
    return sources


def _warn_skipped(path: str, reason: str) -> None:
    warnings.warn(f"skipped {path}: {reason}", SkippedInputWarning, stacklevel=4)


def _checked_size(path: str) -> Optional[int]:
    """The size of the text of the file ``path`` when known without reading
    it; raises the OSError of a file that cannot be read."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        # A FIFO or device is opened once, to be read: opening it here would
        # release its writer (and lose what it wrote) or wait for one.
        if not os.access(path, os.R_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        return None
    # Opening is the only reliable test (ACLs, root, network file systems);
    # the OSError it raises names the path.
    with open(path, "rb"):
        pass
    return None if is_compressed(path) else st.st_size


_NOT_REGULAR = "not a regular file (a FIFO, socket or device)"


def _walk(
    top: str, on_skip: Callable[[str, str], Any], hidden_files: bool = False,
    wanted: Callable[[str], bool] = lambda path: True,
) -> List[str]:
    """Every regular file under ``top``, in a stable order: a directory's
    files, then its subdirectories', each sorted by name. Symlinks are
    followed; a directory met again (a symlink loop) is not walked again,
    and reported. Hidden directories are not entered, hidden files not
    taken unless ``hidden_files``; files that are not regular are reported
    if ``wanted``."""
    found: List[str] = []
    walked: dict = {}  # (device, inode) -> the path it was walked under
    stack = [top]
    while stack:
        directory = stack.pop()
        st = os.stat(directory)
        key = (st.st_dev, st.st_ino)
        if key in walked:
            on_skip(directory, f"the directory {walked[key]}, walked already (through a symlink)")
            continue
        walked[key] = directory
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
        subdirectories = []
        for entry in entries:
            hidden = entry.name.startswith(".")
            if _is_dir(entry):
                if not hidden:
                    subdirectories.append(entry.path)
            elif hidden and not hidden_files:
                continue
            elif _is_file_or_missing(entry.path):
                found.append(entry.path)
            elif wanted(entry.path):
                on_skip(entry.path, _NOT_REGULAR)
        stack.extend(reversed(subdirectories))
    return found


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop, say: named when it is read
        return False


def _is_file_or_missing(path: str) -> bool:
    # A broken symlink is taken: it fails, named, as a missing file.
    return os.path.isfile(path) or not os.path.exists(path)


def _glob(pattern: str, on_skip: Callable[[str, str], Any]) -> List[str]:
    """The regular files ``pattern`` matches, sorted; ``**`` matches any
    number of directories, found by :func:`_walk` (symlinks followed, each
    directory once), not by ``glob``, which loops through symlink loops."""
    parts = pattern.replace(os.altsep, os.sep).split(os.sep) if os.altsep else pattern.split(os.sep)
    if "**" not in parts:
        found = []
        for path in glob.glob(pattern):
            if os.path.isdir(path):
                continue
            if _is_file_or_missing(path):
                found.append(path)
            else:
                on_skip(path, _NOT_REGULAR)
        return sorted(found)
    fixed = 0  # leading parts without wildcards: the directory to walk
    while fixed < len(parts) and not (_GLOB_CHARS & set(parts[fixed])):
        fixed += 1
    base, rest = os.sep.join(parts[:fixed]), parts[fixed:]
    root = base or os.curdir
    if not os.path.isdir(root):
        return []

    def matches(path: str) -> bool:
        return _match(os.path.relpath(path, root).split(os.sep), rest)

    found = [p for p in _walk(root, on_skip, hidden_files=True, wanted=matches) if matches(p)]
    if not base:  # as glob names them: a.txt, not ./a.txt
        found = [os.path.relpath(p, root) for p in found]
    return sorted(found)


def _match(names: List[str], patterns: List[str]) -> bool:
    """Whether path components match glob components: ``**`` matches any
    number of directories (the file too, last); a hidden name only a
    component that starts with "."."""
    if not patterns:
        return not names
    first, rest = patterns[0], patterns[1:]
    if first == "**":
        for i in range(len(names) + 1):
            if _match(names[i:], rest):
                return True
            if i < len(names) and names[i].startswith("."):
                return False
        return False
    return bool(names) and (
        fnmatch.fnmatchcase(names[0], first)
        and (first.startswith(".") or not names[0].startswith("."))
        and _match(names[1:], rest)
    )


def _filtered(paths: List[str], include: Sequence[str], exclude: Sequence[str]) -> List[str]:
    """``paths`` that match an ``include`` pattern (if any) and no ``exclude`` pattern."""

    def matches(path: str, patterns: Sequence[str]) -> bool:
        name = os.path.basename(path)
        return any(fnmatch.fnmatchcase(path if "/" in p else name, p) for p in patterns)

    return [p for p in paths if (not include or matches(p, include)) and not matches(p, exclude)]


def is_compressed(path: str) -> bool:
    """Whether ``path`` is read decompressed (``.gz``, ``.bz2``, ``.xz``, any case)."""
    return os.path.splitext(path)[1].lower() in SUFFIXES


def open_binary(path: str, fs: Any = None) -> BinaryIO:
    """The bytes of ``path`` (``"-"``: stdin, left open when closed),
    decompressed if its name says so; ``fs``: an fsspec file system to open
    it on instead of the local one."""
    if path == STDIN:
        return _Unclosed(sys.stdin.buffer)
    raw = fs.open(path, "rb") if fs is not None else open(path, "rb")
    suffix = os.path.splitext(path)[1]
    stream = decompressing(raw, suffix)
    return stream if stream is not None else raw


class _Unclosed(io.BufferedIOBase):
    """A view of a stream that closing leaves open (stdin belongs to the interpreter)."""

    def __init__(self, f: BinaryIO):
        self._f = f

    def readable(self) -> bool:
        return True

    def read(self, size: Optional[int] = -1) -> bytes:
        return self._f.read(size)

    def read1(self, size: int = -1) -> bytes:
        return self._f.read1(size)


def splittable(encoding: str) -> bool:
    """Whether a file in ``encoding`` can be cut at ``b"\\n"`` into blocks that
    decode on their own (UTF-8, GBK, Big5, Latin-1...; not UTF-16)."""
    return codecs.lookup(encoding).name in _BLOCK_CODECS


# Codecs (by codecs.lookup().name) that are stateless and in which b"\n" is
# always a line end, never part of a multi-byte character: a file in one of
# them can be cut at b"\n" into blocks that decode on their own.
_BLOCK_CODECS = frozenset(
    ["utf-8", "utf-8-sig", "ascii", "iso8859-1", "gbk", "gb2312", "gb18030", "big5",
     "big5hkscs", "cp950"]
)
_BOM = codecs.BOM_UTF8


@dataclass(frozen=True)
class Block:
    """Whole lines of one file as raw bytes, decoded by whoever counts them.

    Reading cuts a file into blocks at line ends and nothing more, so the
    reading process stays light; :meth:`texts` decodes and splits in the
    worker. Errors name ``name:line``.
    """

    data: bytes
    name: str
    #: line number of the first line in ``data``
    first_line: int
    encoding: str
    errors: str
    field: Optional[str]
    #: None; or, for a block cut from the middle of a file whose earlier
    #: lines nobody read (a Dask partition), a callable that counts the
    #: lines before the place ``first_line`` counts from, called only to
    #: number the line of an error
    lines_before: Optional[Callable[[], int]] = None

    def __reduce__(self):
        # Values without field names: a block travels to a worker process.
        return Block, (self.data, self.name, self.first_line, self.encoding, self.errors, self.field,
                       self.lines_before)

    def line_count(self) -> int:
        """Number of lines (texts) in the block."""
        return self.data.count(b"\n") + (not self.data.endswith(b"\n"))

    def texts(self) -> List[str]:
        """The lines, decoded, without their line endings (``\n``, ``\r\n``)."""
        try:
            return self._texts()
        except InputError:
            if self.lines_before is None:
                raise
        # Only now is it worth reading the lines before the block: decoding
        # again, numbered from the start of the file, raises the same error.
        before = self.lines_before()
        return dataclasses.replace(self, first_line=self.first_line + before, lines_before=None)._texts()

    def _texts(self) -> List[str]:
        data = self.data
        try:
            text = data.decode(self.encoding, self.errors)
        except UnicodeDecodeError as err:
            raise self._decode_error(err) from None
        lines = text.split("\n")
        ended = lines[-1] == ""  # the block ends with a line end
        if ended:
            lines.pop()
        if "\r" in text:
            last = len(lines) - (not ended)  # a last line without "\n" keeps its "\r"
            lines = [
                line[:-1] if i < last and line.endswith("\r") else line
                for i, line in enumerate(lines)
            ]
        if self.field is not None:
            return list(json_field(lines, self.field, self.name, self.first_line))
        return lines

    def _decode_error(self, err: UnicodeDecodeError) -> "InputDecodeError":
        data = self.data
        start = data.rfind(b"\n", 0, err.start) + 1
        end = data.find(b"\n", err.start)
        line = data[start : len(data) if end < 0 else end + 1]
        lineno = self.first_line + data.count(b"\n", 0, start)
        relative = UnicodeDecodeError(
            err.encoding, line, err.start - start, err.end - start, err.reason
        )
        return InputDecodeError(self.name, lineno, relative)


#: What :func:`iter_pieces` yields: (a text or a Block, number of texts, bytes).
Piece = Tuple[Union[str, Block], int, int]


def iter_pieces(
    source: Source,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    block_size: int = 1 << 18,
) -> Iterator[Piece]:
    """Yield the texts of ``source`` as ``(piece, texts in it, bytes)``
    (see :func:`read_pieces`). The file is opened when the first piece is
    asked for (a FIFO's writer is met when its turn comes); an unknown
    encoding or error handler fails at once."""
    _check_codec(encoding, errors)
    return _pieces_of(source, encoding, errors, field, block_size)


def _pieces_of(source: Source, encoding: str, errors: str, field: Optional[str], block_size: int):
    with open_binary(source.path) as f:
        yield from read_pieces(f, display_name(source), encoding, errors, field, block_size)


def _check_codec(encoding: str, errors: str):
    codec = codecs.lookup(encoding)  # LookupError for an unknown encoding, up front
    codecs.lookup_error(errors)
    return codec


def read_pieces(
    f: BinaryIO,
    name: str,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
    block_size: int = 1 << 18,
    first_line: int = 1,
    lines_before: Optional[Callable[[], int]] = None,
) -> Iterator[Piece]:
    """Yield the texts of the open binary file ``f`` as ``(piece, texts in it, bytes)``.

    In a block-safe encoding (:func:`splittable`: UTF-8, GBK, GB18030,
    Big5, Latin-1, ...) the pieces are :class:`Block` s of whole lines of
    about ``block_size`` bytes (a longer line makes a longer block: one line
    is never cut), numbered from ``first_line``, with ``lines_before``
    (see :class:`Block`); otherwise (UTF-16, ...) each piece is one decoded
    text. Bytes are counted after decompression, line ends included. With
    ``utf-8-sig``, a BOM is dropped at the start of the file (``first_line``
    1 and no ``lines_before``). Errors name
    ``name`` and the line: data that cannot be decompressed raise
    :class:`InputError` naming the first line not read in full; an
    :class:`OSError` reading ``f`` names ``name`` too.
    """
    codec = _check_codec(encoding, errors)
    if codec.name in _BLOCK_CODECS:
        return _blocks(f, name, codec.name, errors, field, block_size, first_line, lines_before)
    return _line_pieces(f, name, encoding, errors, field)


def _line_pieces(f: BinaryIO, name: str, encoding: str, errors: str, field: Optional[str]) -> Iterator[Piece]:
    for lineno, (line, nbytes) in enumerate(_lines(f, name, encoding, errors), 1):
        yield (line if field is None else json_text(line, field, name, lineno)), 1, nbytes


def _blocks(
    f: BinaryIO, name: str, encoding: str, errors: str, field: Optional[str], block_size: int,
    line: int, lines_before: Optional[Callable[[], int]],
) -> Iterator[Piece]:
    block_encoding = _block_encoding(encoding)
    try:
        parts: List[bytes] = []  # a line longer than a block, so far
        prefix = b""
        if encoding == "utf-8-sig" and line == 1 and lines_before is None:  # the file's start
            prefix = _read_at_least(f, len(_BOM))
            if prefix.startswith(_BOM):
                prefix = prefix[len(_BOM) :]
        while True:
            data = f.read(block_size)
            if prefix:
                data, prefix = prefix + data, b""
            if not data:
                break
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                parts.append(data)
                continue
            parts.append(data[:cut])
            block = Block(b"".join(parts), name, line, block_encoding, errors, field, lines_before)
            parts = [data[cut:]] if cut < len(data) else []
            n = block.data.count(b"\n")
            yield block, n, len(block.data)
            line += n
        tail = b"".join(parts)  # the last line, without a line end
        if tail:
            yield Block(tail, name, line, block_encoding, errors, field, lines_before), 1, len(tail)
    except CorruptStreamError as err:
        # Everything before the damage was yielded: ``line`` is the first
        # line not read in full.
        raise InputError(f"{name}:{line}: cannot read: {err}", name) from None
    except OSError as err:
        raise _named(err, name) from None


def _named(err: OSError, name: str) -> OSError:
    """``err`` naming the file ``name`` (a failed read names none)."""
    if err.filename is not None or err.errno is None:
        return err
    return type(err)(err.errno, err.strerror, name)


def _read_at_least(f: BinaryIO, n: int) -> bytes:
    """``n`` bytes, fewer only at the end (a pipe may return less per read)."""
    data = b""
    while len(data) < n:
        more = f.read(n - len(data))
        if not more:
            break
        data += more
    return data


def _block_encoding(name: str) -> str:
    # The reader drops the BOM itself; blocks after the first must not.
    return "utf-8" if name == "utf-8-sig" else name


def read_range(f: BinaryIO, offset: int, length: int) -> Tuple[bytes, int]:
    """The whole lines that the byte range ``offset:offset + length`` of the
    seekable file ``f`` claims, and the offset they start at.

    A range claims the lines that start in it, after the first line end at
    or after ``offset`` (or from 0), up to the first line end at or after
    its end: the rule of ``dask.bytes.read_bytes``, applied to both ends,
    so that consecutive ranges cover every line exactly once.
    """
    start = _after_line_end(f, offset)
    end = _after_line_end(f, offset + length)
    f.seek(start)
    return f.read(end - start), start


def _after_line_end(f: BinaryIO, offset: int) -> int:
    """0 for 0; else the offset after the first b"\\n" at or after ``offset`` (or the end)."""
    if offset == 0:
        return 0
    f.seek(offset)
    while True:
        chunk = f.read(1 << 16)
        if not chunk:
            return f.tell()
        i = chunk.find(b"\n")
        if i >= 0:
            return offset + i + 1
        offset += len(chunk)


def count_lines_before(path: str, end: int, fs: Any = None) -> int:
    """Number of b"\\n" in the first ``end`` bytes of ``path`` (uncompressed;
    on the fsspec file system ``fs`` if given): the lines before a range."""
    n = 0
    with fs.open(path, "rb") if fs is not None else open(path, "rb") as f:
        while end > 0:
            chunk = f.read(min(end, 1 << 22))
            if not chunk:
                break
            n += chunk.count(b"\n")
            end -= len(chunk)
    return n


def iter_texts(
    source: Source,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
) -> Iterator[str]:
    """Yield every text of one resolved source, decoded (one per line)."""
    for piece, _, _ in iter_pieces(source, encoding, errors, field):
        if isinstance(piece, Block):
            yield from piece.texts()
        else:
            yield piece


def iter_lines(
    source: Source, encoding: str = "utf-8", errors: str = "strict"
) -> Iterator[Tuple[str, int]]:
    """Yield ``(line, nbytes)`` one line at a time, through :class:`io.TextIOWrapper`.

    The reader for encodings that cannot be cut into blocks (UTF-16, ...).
    The line of a decoding error is only known up to the wrapper's
    read-ahead, so the message says "or a line after it".
    """
    with open_binary(source.path) as f:
        yield from _lines(f, display_name(source), encoding, errors)


def _lines(f: BinaryIO, name: str, encoding: str, errors: str) -> Iterator[Tuple[str, int]]:
    lineno = 0
    text_f = io.TextIOWrapper(f, encoding=encoding, errors=errors, newline="")
    try:
        for lineno, line in enumerate(text_f, 1):  # noqa: B007 (used in the handlers)
            yield _strip_eol(line), len(line.encode(encoding, "surrogatepass"))
    except UnicodeDecodeError as err:
        raise InputError(f"{name}:{lineno + 1}: (or a line after it) {err}", name) from None
    except CorruptStreamError as err:
        raise InputError(f"{name}:{lineno + 1}: (or a line after it) cannot read: {err}", name) from None
    except OSError as err:
        raise _named(err, name) from None
    finally:
        text_f.detach()


def _strip_eol(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-2] if line.endswith("\r\n") else line[:-1]
    return line


def json_field(
    lines: Iterable[str], field: str, name: str, first_line: int = 1
) -> Iterator[str]:
    """Turn JSON lines into the text of their ``field`` (see :func:`json_text`)."""
    for lineno, line in enumerate(lines, first_line):
        yield json_text(line, field, name, lineno)


def json_text(line: str, field: str, name: str, lineno: int) -> str:
    """The text in ``field`` of one JSON line; :class:`InputError` names ``name:lineno``.

    A blank line is an empty text (so line numbers stay exact); anything
    else must be a JSON object whose ``field`` is a string.
    """
    if not line.strip():
        return ""
    try:
        obj = json.loads(line)
    except ValueError as err:
        raise InputError(f"{name}:{lineno}: invalid JSON: {err}", name) from None
    if not isinstance(obj, dict):
        raise InputError(f"{name}:{lineno}: not a JSON object", name)
    try:
        text = obj[field]
    except KeyError:
        raise InputError(f"{name}:{lineno}: no field {field!r}", name) from None
    if not isinstance(text, str):
        raise InputError(f"{name}:{lineno}: field {field!r} is {type(text).__name__}, not str", name)
    return text


def display_name(source: Source) -> str:
    """How errors and reports name ``source``."""
    return "<stdin>" if source.path == STDIN else source.path


def check_field(sources: Sequence[Source], field: Optional[str]) -> None:
    """Refuse ``.jsonl`` files without ``field``: counting raw JSON is never meant."""
    if field is not None:
        return
    for source in sources:
        stem, ext = os.path.splitext(source.path.lower())
        if ext in SUFFIXES:
            stem, ext = os.path.splitext(stem)
        if ext == ".jsonl":
            raise ValueError(
                f"{source.path} is JSON lines: say which field holds the text (field=...)"
            )
