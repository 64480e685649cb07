"""fastcount: fast, exact word-frequency counting for large text corpora.

The public names are loaded on first use (PEP 562), so ``import fastcount``
stays cheap for the command line and for worker processes that need only
part of the package; type checkers see them through the imports below.
"""

from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "HashCounter": "fastcount._hashcounter",
    "Vocab": "fastcount._vocab",
    "Counter": "fastcount.counter",
    "count_words": "fastcount.pipeline",
    "count_partition": "fastcount.pipeline",
    "count_ngrams": "fastcount.ngrams",
    "NgramStats": "fastcount.ngrams",
    "discover_words": "fastcount.discover",
    "CountStats": "fastcount.countstats",
    "WordFilter": "fastcount.filters",
    "count_documents": "fastcount.documents",
    "DocumentCounts": "fastcount.documents",
    "save": "fastcount.writers",
    "cut_corpus": "fastcount.cutting",
    "merge_counts": "fastcount.merge",
    "finalize_counts": "fastcount.merge",
    "InputError": "fastcount.io",
    "InputDecodeError": "fastcount.io",
    "WorkerError": "fastcount.workers",
    "RemoteTraceback": "fastcount.workers",
    "Tokenizer": "fastcount.segmenter",
    "cut": "fastcount.jieba",
    "lcut": "fastcount.jieba",
    "cut_for_search": "fastcount.jieba",
    "lcut_for_search": "fastcount.jieba",
}

if TYPE_CHECKING:
    from fastcount._hashcounter import HashCounter as HashCounter
    from fastcount._vocab import Vocab as Vocab
    from fastcount.counter import Counter as Counter
    from fastcount.cutting import cut_corpus as cut_corpus
    from fastcount.documents import DocumentCounts as DocumentCounts
    from fastcount.documents import count_documents as count_documents
    from fastcount.filters import WordFilter as WordFilter
    from fastcount.writers import save as save
    from fastcount.io import InputDecodeError as InputDecodeError
    from fastcount.io import InputError as InputError
    from fastcount.discover import discover_words as discover_words
    from fastcount.merge import finalize_counts as finalize_counts
    from fastcount.merge import merge_counts as merge_counts
    from fastcount.ngrams import NgramStats as NgramStats
    from fastcount.ngrams import count_ngrams as count_ngrams
    from fastcount.countstats import CountStats as CountStats
    from fastcount.pipeline import count_partition as count_partition
    from fastcount.pipeline import count_words as count_words
    from fastcount.segmenter import Tokenizer as Tokenizer
    from fastcount.jieba import cut as cut
    from fastcount.jieba import cut_for_search as cut_for_search
    from fastcount.jieba import lcut as lcut
    from fastcount.jieba import lcut_for_search as lcut_for_search
    from fastcount.workers import RemoteTraceback as RemoteTraceback
    from fastcount.workers import WorkerError as WorkerError

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> object:
    """Load a public name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fastcount' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list:
    """The public names."""
    return __all__
