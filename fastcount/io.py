"""Readers: turn a ``count_words`` source into a stream of texts.

A source is either an iterable of ``str`` (each item is one text) or one or
more paths: files, globs, directories, or ``"-"`` for standard input. Files
are read as one text per line (the line ending, ``"\\n"`` or ``"\\r\\n"``, is
not part of the text); ``.gz``, ``.bz2`` and ``.xz`` files are decompressed
on the fly; with ``field=`` every line is a JSON object and the text is that
field's value (JSON lines).

Everything is streamed: a file is read in blocks of whole lines (a line is
never cut, however long), so memory holds a block at a time, whatever the
file's size. The reader only cuts blocks (:func:`iter_pieces`); decoding
and splitting (:meth:`Block.texts`) happen where the texts are counted, in
the worker processes. Errors name the place: ``reviews.txt:1234: invalid
utf-8 at byte 17 of the line (b'\\xff'): invalid start byte``.

Every path is resolved and checked for reading by :func:`resolve_paths`
before any text is produced, so a typo fails at once, not after an hour of
counting.
"""

from __future__ import annotations

import bz2
import codecs
import glob
import gzip
import io
import json
import lzma
import os
import sys
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

__all__ = [
    "InputError",
    "InputDecodeError",
    "Source",
    "resolve_paths",
    "Block",
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

_OPENERS: Dict[str, Callable[..., Any]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
# What a corrupt compressed stream raises, depending on the format.
_STREAM_ERRORS = (EOFError, OSError, lzma.LZMAError, zlib.error)
_GLOB_CHARS = frozenset("*?[")

PathLike = Union[str, "os.PathLike[str]"]


class InputError(ValueError):
    """Bad input data: the message starts with ``path:line:`` (or the item)."""


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


def _check_readable(path: str) -> None:
    # Opening is the only reliable test (ACLs, root, network file systems);
    # the OSError it raises names the path.
    with open(path, "rb"):
        pass


def _walk(directory: str) -> List[str]:
    """Every non-hidden regular file under ``directory``, in a stable order."""
    found: List[str] = []
    for root, dirs, files in os.walk(directory, onerror=_raise):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            os.path.join(root, f) for f in sorted(files) if not f.startswith(".")
        )
    return found


def _raise(err: OSError) -> None:
    raise err


def resolve_paths(specs: Sequence[PathLike]) -> List[Source]:
    """Expand globs and directories and check that every file can be read.

    A spec that names an existing file is that file; an existing directory
    stands for every non-hidden file below it (sorted, recursively); a spec
    with ``*``, ``?`` or ``[`` that names nothing is a glob (``**`` recurses);
    ``"-"`` is standard input. Raises :class:`FileNotFoundError` naming a
    spec that matches no file, and the :class:`OSError` of a file that
    cannot be opened (e.g. :class:`PermissionError`).
    """
    sources: List[Source] = []
    for spec in specs:
        spec = os.fspath(spec)
        if spec == STDIN:
            sources.append(Source(STDIN, None))
            continue
        if os.path.isdir(spec):
            files = _walk(spec)
            what = "no files in directory"
        elif not os.path.lexists(spec) and _GLOB_CHARS & set(spec):
            files = sorted(p for p in glob.glob(spec, recursive=True) if not os.path.isdir(p))
            what = "no file matches"
        else:
            files = [spec]
            what = ""
        if not files:
            raise FileNotFoundError(2, what, spec)
        for path in files:
            _check_readable(path)
            compressed = os.path.splitext(path)[1].lower() in _OPENERS
            sources.append(Source(path, None if compressed else os.path.getsize(path)))
    return sources


def _open_binary(path: str) -> BinaryIO:
    if path == STDIN:
        return sys.stdin.buffer
    opener = _OPENERS.get(os.path.splitext(path)[1].lower())
    return opener(path, "rb") if opener is not None else open(path, "rb")


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
    parent process stays light; :meth:`texts` decodes and splits in the
    worker. Errors name ``name:line``.
    """

    data: bytes
    name: str
    #: line number of the first line in ``data``
    first_line: int
    encoding: str
    errors: str
    field: Optional[str]

    def line_count(self) -> int:
        """Number of lines (texts) in the block."""
        return self.data.count(b"\n") + (not self.data.endswith(b"\n"))

    def texts(self) -> List[str]:
        """The lines, decoded, without their line endings (``\n``, ``\r\n``)."""
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
    """Yield the texts of ``source`` as ``(piece, texts in it, bytes)``.

    In a block-safe encoding (UTF-8, GBK, GB18030, Big5, Latin-1, ...) the
    pieces are :class:`Block` s of whole lines of about ``block_size`` bytes
    (a longer line makes a longer block: one line is never cut); otherwise
    (UTF-16, ...) each piece is one decoded text. Bytes are counted after
    decompression, line ends included.
    """
    codec = codecs.lookup(encoding)  # LookupError for an unknown encoding, up front
    codecs.lookup_error(errors)
    if codec.name in _BLOCK_CODECS:
        return _blocks(source, codec.name, errors, field, block_size)
    return _line_pieces(source, encoding, errors, field)


def _line_pieces(
    source: Source, encoding: str, errors: str, field: Optional[str]
) -> Iterator[Piece]:
    name = display_name(source)
    for lineno, (line, nbytes) in enumerate(iter_lines(source, encoding, errors), 1):
        yield (line if field is None else json_text(line, field, name, lineno)), 1, nbytes


def _blocks(
    source: Source, encoding: str, errors: str, field: Optional[str], block_size: int
) -> Iterator[Piece]:
    name = display_name(source)
    line = 1
    f = _open_binary(source.path)
    try:
        parts: List[bytes] = []  # a line longer than a block, so far
        prefix = b""
        if encoding == "utf-8-sig":
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
            block = Block(b"".join(parts), name, line, _block_encoding(encoding), errors, field)
            parts = [data[cut:]] if cut < len(data) else []
            n = block.data.count(b"\n")
            yield block, n, len(block.data)
            line += n
        tail = b"".join(parts)  # the last line, without a line end
        if tail:
            yield Block(tail, name, line, _block_encoding(encoding), errors, field), 1, len(tail)
    except _STREAM_ERRORS as err:
        raise InputError(f"{name}:{line}: cannot read: {err}") from err
    finally:
        if source.path != STDIN:
            f.close()


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
    name = display_name(source)
    lineno = 0
    f = _open_binary(source.path)
    text_f = io.TextIOWrapper(f, encoding=encoding, errors=errors, newline="")
    try:
        for lineno, line in enumerate(text_f, 1):  # noqa: B007 (used in the handlers)
            yield _strip_eol(line), len(line.encode(encoding, "surrogatepass"))
    except UnicodeDecodeError as err:
        raise InputError(f"{name}:{lineno + 1}: (or a line after it) {err}") from None
    except _STREAM_ERRORS as err:
        raise InputError(f"{name}:{lineno + 1}: cannot read: {err}") from err
    finally:
        text_f.detach()
        if source.path != STDIN:
            f.close()


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
        raise InputError(f"{name}:{lineno}: invalid JSON: {err}") from None
    if not isinstance(obj, dict):
        raise InputError(f"{name}:{lineno}: not a JSON object")
    try:
        text = obj[field]
    except KeyError:
        raise InputError(f"{name}:{lineno}: no field {field!r}") from None
    if not isinstance(text, str):
        raise InputError(f"{name}:{lineno}: field {field!r} is {type(text).__name__}, not str")
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
        if ext in _OPENERS:
            stem, ext = os.path.splitext(stem)
        if ext == ".jsonl":
            raise ValueError(
                f"{source.path} is JSON lines: say which field holds the text (field=...)"
            )
