"""Readers: turn a ``count_words`` source into a stream of texts.

A source is either an iterable of ``str`` (each item is one text) or one or
more paths: files, globs, directories, or ``"-"`` for standard input. Files
are read as one text per line (the line ending, ``"\\n"`` or ``"\\r\\n"``, is
not part of the text); ``.gz``, ``.bz2`` and ``.xz`` files are decompressed
on the fly; with ``field=`` every line is a JSON object and the text is that
field's value (JSON lines).

Everything is streamed: a file is read line by line, so memory holds one
line at a time, whatever the file's size. Errors name the place:
``reviews.txt:1234: invalid utf-8 at byte 17 of the line: invalid start byte``.

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
from typing import Any, BinaryIO, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Union

__all__ = [
    "InputError",
    "InputDecodeError",
    "Source",
    "resolve_paths",
    "open_source",
    "iter_lines",
    "json_field",
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
        err = UnicodeDecodeError(
            self.encoding, self.object, self.start, self.end, self.reason
        )
        return (type(self), (self.path, self.lineno, err))


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
        if any(isinstance(s, os.PathLike) for s in source) and all(
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


def _ascii_compatible(encoding: str) -> bool:
    # Then b"\n" ends a line and never occurs inside a multi-byte character,
    # so a file can be split into lines before decoding (exact line numbers).
    return "\n".encode(encoding) == b"\n" and "a".encode(encoding) == b"a"


def iter_lines(
    source: Source, encoding: str = "utf-8", errors: str = "strict"
) -> Iterator[tuple]:
    """Yield ``(text, nbytes)`` for each line of ``source``, line ending removed.

    ``nbytes`` is the size of the raw line (ending included), for progress
    and throughput. Lines are read one at a time (a single huge line is held
    whole, nothing else is). Decoding errors raise :class:`InputDecodeError`
    naming the file and line; a corrupt compressed stream raises
    :class:`InputError` naming the file and the line reached.
    """
    codec = codecs.lookup(encoding)  # LookupError for an unknown encoding, up front
    codecs.lookup_error(errors)
    name = display_name(source)
    lineno = 0
    f = _open_binary(source.path)
    try:
        if codec.name == "utf-8":
            for lineno, raw in enumerate(f, 1):
                try:
                    text = raw.decode("utf-8", errors)
                except UnicodeDecodeError as err:
                    raise InputDecodeError(name, lineno, err) from None
                yield _strip_eol(text), len(raw)
        elif _ascii_compatible(encoding):
            # The incremental decoder keeps the codec's state across lines (a
            # BOM is only skipped at the start); final=True because a line
            # never ends inside a character.
            decode = codec.incrementaldecoder(errors).decode
            for lineno, raw in enumerate(f, 1):
                try:
                    text = decode(raw, True)
                except UnicodeDecodeError as err:
                    raise InputDecodeError(name, lineno, err) from None
                yield _strip_eol(text), len(raw)
        else:
            # UTF-16/32: TextIOWrapper splits the lines; a decoding error's
            # line is then only known up to its read-ahead.
            text_f = io.TextIOWrapper(f, encoding=encoding, errors=errors, newline="")
            try:
                for lineno, line in enumerate(text_f, 1):
                    yield _strip_eol(line), len(line.encode(encoding, "surrogatepass"))
            except UnicodeDecodeError as err:
                raise InputError(f"{name}:{lineno + 1}: (or a line after it) {err}") from None
            finally:
                text_f.detach()
    except _STREAM_ERRORS as err:
        raise InputError(f"{name}:{lineno + 1}: cannot read: {err}") from err
    finally:
        if source.path != STDIN:
            f.close()


def _strip_eol(line: str) -> str:
    if line.endswith("\n"):
        line = line[:-2] if line.endswith("\r\n") else line[:-1]
    return line


def json_field(
    lines: Iterable[tuple], field: str, name: str
) -> Iterator[tuple]:
    """Turn ``(line, nbytes)`` of JSON lines into ``(text, nbytes)`` of ``field``.

    A blank line is an empty text (so line numbers stay exact); anything else
    must be a JSON object whose ``field`` is a string, or :class:`InputError`
    names the line.
    """
    for lineno, (line, nbytes) in enumerate(lines, 1):
        if not line.strip():
            yield "", nbytes
            continue
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
            raise InputError(
                f"{name}:{lineno}: field {field!r} is {type(text).__name__}, not str"
            )
        yield text, nbytes


def open_source(
    source: Source,
    encoding: str = "utf-8",
    errors: str = "strict",
    field: Optional[str] = None,
) -> Iterator[tuple]:
    """Yield ``(text, nbytes)`` for every text of one resolved source."""
    name = "<stdin>" if source.path == STDIN else source.path
    lines = iter_lines(source, encoding, errors)
    return lines if field is None else json_field(lines, field, name)


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
