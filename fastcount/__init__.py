"""fastcount: fast, exact word-frequency counting for large text corpora.

The public names are loaded on first use (PEP 562), so ``import fastcount``
stays cheap for the command line and for worker processes that need only
part of the package.
"""

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "HashCounter": "fastcount._hashcounter",
    "Vocab": "fastcount._vocab",
    "Counter": "fastcount.counter",
    "count_words": "fastcount.pipeline",
    "count_partition": "fastcount.pipeline",
    "Tokenizer": "fastcount.segmenter",
    "cut": "fastcount.jieba",
    "lcut": "fastcount.jieba",
    "cut_for_search": "fastcount.jieba",
    "lcut_for_search": "fastcount.jieba",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'fastcount' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return __all__
