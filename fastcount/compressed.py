"""Strict decompression of ``.gz``, ``.bz2`` and ``.xz`` streams for the readers.

:func:`decompressing` wraps a binary file in a stream that yields its
decompressed bytes and differs from ``gzip.open``/``bz2.open``/``lzma.open``
where they are lax or lose data:

- bytes after the compressed data that do not start another stream of the
  same format are an error (``bz2`` and ``lzma`` ignore them, ``gzip``
  refuses them); a ``.gz``/``.xz`` stream may be followed by NUL padding;
- an empty file is empty input in every format (``bz2`` and ``lzma`` call
  it truncated, ``gzip`` does not);
- ``read(n)`` returns everything that decompressed before an error and
  raises it on the next call, so a reader knows exactly how far the data
  is good (the file and line of the message are exact).

Errors in the data raise :class:`CorruptStreamError`; errors reading the
underlying file propagate as they are (``OSError``).
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from typing import BinaryIO, Callable, Dict, Optional, Tuple

__all__ = ["decompressing", "CorruptStreamError", "SUFFIXES"]

#: Bytes of compressed input read at a time.
_READ_SIZE = 1 << 16


class CorruptStreamError(ValueError):
    """Compressed data that cannot be decompressed: damaged, truncated, or followed by garbage."""


class _Gunzip:
    """zlib's gzip decompressor behind the ``needs_input`` interface of bz2's and lzma's."""

    eof = property(lambda self: self._d.eof)
    unused_data = property(lambda self: self._d.unused_data)

    def __init__(self):
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip header and trailer, CRC checked
        self._tail = b""  # input held back because max_length was reached

    @property
    def needs_input(self) -> bool:
        return not self._tail

    def decompress(self, data: bytes, max_length: int) -> bytes:
        # Called with no data, it still gives what zlib holds for lack of room.
        out = self._d.decompress(self._tail + data if self._tail else data, max_length)
        self._tail = self._d.unconsumed_tail
        return out


#: suffix -> (format name, new decompressor, magic bytes, NUL padding allowed between streams)
_FORMATS: Dict[str, Tuple[str, Callable, bytes, bool]] = {
    ".gz": ("gzip", _Gunzip, b"\x1f\x8b", True),
    ".bz2": ("bzip2", bz2.BZ2Decompressor, b"BZh", False),
    ".xz": ("xz", lzma.LZMADecompressor, b"\xfd7zXZ\x00", True),
}
#: File name suffixes read as compressed (lower case).
SUFFIXES = frozenset(_FORMATS)

_DECOMPRESS_ERRORS = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError)


def decompressing(raw: BinaryIO, suffix: str) -> Optional[BinaryIO]:
    """A stream of the decompressed bytes of ``raw`` for a file ending in
    ``suffix`` (``".gz"``...); None for a suffix that is not compressed.
    Closing it closes ``raw``."""
    spec = _FORMATS.get(suffix.lower())
    return None if spec is None else _Decompressed(raw, *spec)


class _Decompressed(io.BufferedIOBase):
    """The decompressed bytes of one file of concatenated streams (see the module)."""

    def __init__(self, raw: BinaryIO, fmt: str, new: Callable, magic: bytes, padded: bool):
        self._raw = raw
        self._fmt, self._new, self._magic, self._padded = fmt, new, magic, padded
        self._dec = None  # the decompressor of the current stream
        self._input = b""  # compressed bytes read but not yet given to a decompressor
        self._streams = 0  # streams begun
        self._error: Optional[BaseException] = None  # raised by the next read
        self._eof = False

    def readable(self) -> bool:
        return True

    def read(self, size: Optional[int] = -1) -> bytes:
        """Up to ``size`` bytes (all, for -1), fewer only at the end or before an error."""
        out = []
        n = 0
        while size is None or size < 0 or n < size:
            try:
                data = self.read1(-1 if size is None or size < 0 else size - n)
            except CorruptStreamError as err:
                if not out:
                    raise
                self._error = err  # the data before it first
                break
            if not data:
                break
            out.append(data)
            n += len(data)
        return b"".join(out)

    def read1(self, size: int = -1) -> bytes:
        """Some decompressed bytes (b"" at the end), at most ``size``."""
        if self._error is not None:
            err, self._error = self._error, None
            raise err
        limit = size if size is not None and size > 0 else _READ_SIZE * 4
        while not self._eof:
            if self._dec is None and not self._begin():
                self._eof = True
                break
            data = self._step(limit)
            if data:
                return data
        return b""

    def _begin(self) -> bool:
        """Start the next stream; False at the clean end of the file."""
        if self._padded:
            while True:
                self._input = self._input.lstrip(b"\0")
                if self._input or not self._fill():
                    break
        while len(self._input) < len(self._magic) and self._fill():
            pass
        if not self._input:
            return False  # nothing (more): an empty file, or the end after whole streams
        if not self._input.startswith(self._magic):
            if self._streams:
                raise self._corrupt(f"bytes that are not {self._fmt} data follow the end of its stream")
            raise self._corrupt(f"not {self._fmt} data")
        self._dec = self._new()
        self._streams += 1
        return True

    def _step(self, limit: int) -> bytes:
        """Decompress up to ``limit`` bytes of the current stream (maybe none)."""
        dec = self._dec
        data = b""
        if dec.needs_input:
            if not self._input and not self._fill():
                data = self._decompress(b"", limit)  # what it holds, if anything
                if not data and not dec.eof:
                    raise self._corrupt(f"the {self._fmt} data ends before its end-of-stream marker (a truncated file?)")
                return data
            chunk, self._input = self._input, b""
        else:
            chunk = b""
        data = self._decompress(chunk, limit)
        if dec.eof:
            self._input = dec.unused_data + self._input
            self._dec = None
        return data

    def _decompress(self, chunk: bytes, limit: int) -> bytes:
        try:
            return self._dec.decompress(chunk, limit)
        except _DECOMPRESS_ERRORS as err:
            raise self._corrupt(str(err) or type(err).__name__) from None

    def _fill(self) -> bool:
        more = self._raw.read(_READ_SIZE)
        self._input += more
        return bool(more)

    def _corrupt(self, reason: str) -> CorruptStreamError:
        return CorruptStreamError(reason)

    def close(self) -> None:
        if not self.closed:
            try:
                self._raw.close()
            finally:
                super().close()
