"""Loading a jieba dictionary file into a :class:`Dictionary`, through a
cache file.

The first load parses the dictionary file in C (files with unusual lines go
through jieba's own parse) and writes the trie to a cache file next to
jieba's own (``tempfile.gettempdir()``); later loads read that back. A cache
that is stale, not ours, damaged or truncated (its CRC-32 and layout are
checked) is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zlib
from typing import Optional

import jieba

from fastcount.segmenter._dictionary import Dictionary

# Bump when the cache layout changes.
_CACHE_VERSION = 2
_CACHE_MAGIC = b"FCJBCACHE%d\n" % _CACHE_VERSION


def default_dictionary_path() -> str:
    """The dictionary file of the installed jieba package."""
    return os.path.join(os.path.dirname(os.path.abspath(jieba.__file__)), jieba.DEFAULT_DICT_NAME)


def cache_path(source: str, tmp_dir: Optional[str] = None, cache_file: Optional[str] = None) -> str:
    """Where the cache of dictionary file ``source`` lives."""
    name = cache_file or "fastcount.jieba.%s.cache" % hashlib.md5(
        source.encode("utf-8", "replace")
    ).hexdigest()
    return os.path.join(tmp_dir or tempfile.gettempdir(), name)


def gen_pfdict(path: str):
    """jieba.Tokenizer.gen_pfdict: ``(FREQ, total)``, the same parse and the same errors."""
    lfreq = {}
    ltotal = 0
    with open(path, "rb") as f:
        for lineno, line in enumerate(f, 1):
            try:
                line = line.strip().decode("utf-8")
                word, freq = line.split(" ")[:2]
                freq = int(freq)
                lfreq[word] = freq
                ltotal += freq
                for ch in range(len(word)):
                    wfrag = word[: ch + 1]
                    if wfrag not in lfreq:
                        lfreq[wfrag] = 0
            except ValueError:
                raise ValueError(
                    "invalid dictionary entry in %s at Line %s: %s" % (path, lineno, line)
                ) from None
    return lfreq, ltotal


def load_dictionary(source: str, cache: str) -> Dictionary:
    """The Dictionary of file ``source``: from the cache file ``cache`` when
    it is up to date, else parsed (then the cache is written)."""
    st = os.stat(source)
    stamp = {"source": source, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    d = _read_cache(cache, stamp)
    if d is None:
        with open(source, "rb") as f:
            data = f.read()
        d = Dictionary()
        if not d.load_dict_file_data(data):
            # a line the C parser does not take: jieba's own parse
            # (the same FREQ, or jieba's error naming the line)
            lfreq, ltotal = gen_pfdict(source)
            try:
                d.load_freq(lfreq)
            except OverflowError as e:
                raise OverflowError(f"{source}: {e}") from None
            d.total = ltotal
            del lfreq
        del data
        _write_cache(cache, stamp, d)
    return d


def _read_cache(cache: str, stamp: dict) -> Optional[Dictionary]:
    found = read_cache_file(cache, _CACHE_MAGIC, stamp)
    if found is None:
        return None
    try:
        d = Dictionary()
        d.loads(found[1])
        return d
    except ValueError:
        return None     # damaged: rebuilt from the dictionary file


def _write_cache(cache: str, stamp: dict, d: Dictionary) -> None:
    write_cache_file(cache, _CACHE_MAGIC, stamp, d.dumps())


def read_cache_file(path: str, magic: bytes, stamp: dict):
    """``(header, payload)`` of a cache file written by :func:`write_cache_file`
    with this magic and a header holding ``stamp``; None when the file is
    missing, not ours, stale or damaged (the payload's CRC-32 differs), and
    the caller then rebuilds it."""
    try:
        with open(path, "rb") as f:
            if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                return None     # in a shared temp dir, trust only our own files
            data = f.read()
    except OSError:
        return None
    try:
        if not data.startswith(magic):
            return None
        end = data.index(b"\n", len(magic))
        header = json.loads(data[len(magic):end])
        if not isinstance(header, dict) or {k: header.get(k) for k in stamp} != stamp:
            return None
        payload = memoryview(data)[end + 1:]
        if header.get("crc32") != zlib.crc32(payload):
            return None
        return header, payload
    except ValueError:
        return None


def write_cache_file(path: str, magic: bytes, header: dict, payload: bytes) -> None:
    """Write a cache file (magic, a JSON header line with the payload's
    CRC-32, the payload) under a temporary name and rename it into place; a
    temp dir we cannot write only costs the next start its speed."""
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".fastcount-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(magic)
                f.write(json.dumps(dict(header, crc32=zlib.crc32(payload))).encode("utf-8") + b"\n")
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
