"""Loading a jieba dictionary file into a :class:`Dictionary`, through a
cache file.

The first load parses the dictionary file in C (files with unusual lines go
through jieba's own parse) and writes the trie to a cache file next to
jieba's own (``tempfile.gettempdir()``); later loads read that back. A cache
that is stale, not ours, damaged or truncated is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from typing import Optional

import jieba

from fastcount.segmenter._dictionary import Dictionary

# Bump when the cache layout changes.
_CACHE_VERSION = 1
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
            d.load_freq(lfreq)
            d.total = ltotal
            del lfreq
        del data
        _write_cache(cache, stamp, d)
    return d


def _read_cache(cache: str, stamp: dict) -> Optional[Dictionary]:
    try:
        with open(cache, "rb") as f:
            if hasattr(os, "getuid") and os.fstat(f.fileno()).st_uid != os.getuid():
                return None     # in a shared temp dir, trust only our own files
            data = f.read()
    except OSError:
        return None
    try:
        if not data.startswith(_CACHE_MAGIC):
            return None
        end = data.index(b"\n", len(_CACHE_MAGIC))
        header = json.loads(data[len(_CACHE_MAGIC):end])
        if {k: header.get(k) for k in stamp} != stamp:
            return None
        d = Dictionary()
        d.loads(memoryview(data)[end + 1:])
        d.total = int(header["total"])
        return d
    except (ValueError, KeyError, TypeError):
        return None     # stale or damaged: rebuilt from the dictionary file


def _write_cache(cache: str, stamp: dict, d: Dictionary) -> None:
    header = dict(stamp, total=str(d.total))
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(cache), prefix=".fastcount-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_CACHE_MAGIC)
                f.write(json.dumps(header).encode("utf-8") + b"\n")
                f.write(d.dumps())
            os.replace(tmp, cache)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass    # a read-only temp dir only costs the next start its speed
