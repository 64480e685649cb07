"""Loading jieba.posseg's HMM model for the native POS tagger.

The four tables of the installed jieba package (``jieba/posseg``'s
``char_state_tab``, ``prob_start``, ``prob_trans``, ``prob_emit``) are
compiled into one compact block (:func:`compile_tables`) and kept in a cache
file next to the dictionary's (``tempfile.gettempdir()``), stamped with the
tables' files; later loads read the block back. The tables are read from
their files without importing ``jieba.posseg`` itself, whose import builds a
tagger over jieba's default dictionary.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
from typing import Optional

import jieba

from fastcount.segmenter._pos_hmm import PosModel, compile_tables
from fastcount.segmenter.loading import read_cache_file, write_cache_file

__all__ = ["load_model", "read_model"]

# Bump when the compiled layout changes.
_CACHE_MAGIC = b"FCPOSCACHE1\n"
_TABLES = ("char_state_tab", "prob_start", "prob_trans", "prob_emit")

_model: Optional[PosModel] = None
_lock = threading.Lock()


def _tables_dir() -> str:
    return os.path.join(os.path.dirname(os.path.abspath(jieba.__file__)), "posseg")


def _read_tables(folder: str) -> list:
    """The ``P`` of each table module, as jieba.posseg imports them."""
    posseg = sys.modules.get("jieba.posseg")
    if posseg is not None:
        return [posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P]
    tables = []
    for name in _TABLES:
        spec = importlib.util.spec_from_file_location(f"_fastcount_jieba_posseg_{name}",
                                                      os.path.join(folder, name + ".py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tables.append(module.P)
    return tables


def load_model() -> PosModel:
    """jieba.posseg's HMM model, loaded once per process (see :func:`read_model`)."""
    global _model
    with _lock:
        if _model is None:
            _model = read_model()
        return _model


def read_model(tmp_dir: Optional[str] = None) -> PosModel:
    """jieba.posseg's HMM model from the cache file in ``tmp_dir`` (default
    ``tempfile.gettempdir()``) when it is up to date, else compiled from
    jieba's tables (and the cache file written)."""
    folder = _tables_dir()
    files = [os.stat(os.path.join(folder, name + ".py")) for name in _TABLES]
    stamp = {"source": folder, "tables": [[st.st_size, st.st_mtime_ns] for st in files]}
    cache = os.path.join(tmp_dir or tempfile.gettempdir(), "fastcount.posseg.%s.cache"
                         % hashlib.md5(folder.encode("utf-8", "replace")).hexdigest())
    found = read_cache_file(cache, _CACHE_MAGIC, stamp)
    if found is not None:
        try:
            return PosModel(found[1])
        except ValueError:
            pass    # damaged: compiled again
    model = PosModel(compile_tables(*_read_tables(folder)))
    write_cache_file(cache, _CACHE_MAGIC, stamp, model.dumps())
    return model
