"""Counting by part of speech: the chunk-counter factory of
``count_words(..., pos=True)`` and ``count_words(..., pos_filter=...)``, and
the ``(word, tag)`` keys of its result.

The workers count with :class:`fastcount.segmenter._pos_count.PosChunkCounter`
(jieba.posseg's cut and tags in C, the GIL released, no Python object per
token). With ``pos=True`` a partial's words are ``word + "\\0" + tag``: they
merge, and ``top`` breaks ties, exactly as ``(word, tag)`` tuples would (a
NUL sorts first, and no tag holds one); :func:`pair_keys` turns the final
counter's keys into those tuples.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Iterable, Optional, Tuple, Union

from fastcount.tokenizers import CounterFactory

if TYPE_CHECKING:
    from fastcount.counter import Counter

__all__ = ["PosCounterFactory", "pos_counter_factory", "pair_keys"]

#: A POS filter: tags and ``*``-ended prefixes, as a list or one comma-separated str.
PosFilter = Union[str, Iterable[str]]


@dataclass(frozen=True)
class PosCounterFactory(CounterFactory):
    """Picklable recipe for a POS chunk counter (see :class:`CounterFactory`)."""

    #: count by (word, tag) rather than by word
    with_tags: bool = True
    #: the POS filter's patterns, or None
    tags: Optional[Tuple[str, ...]] = None

    def __call__(self):
        """A new POS chunk counter over the tagger of the options' tokenizer."""
        from fastcount.posseg import POSTokenizer, pos_tokenizer_for
        from fastcount.segmenter import tokenizer_for
        from fastcount.segmenter._pos_count import PosChunkCounter

        options = dict(self.native_options)
        tagger = options.pop("pos_tokenizer", None)
        if tagger is None:
            tagger = pos_tokenizer_for(
                tokenizer_for(options.pop("tokenizer", None), options.pop("user_dict", None)))
        assert isinstance(tagger, POSTokenizer)
        return PosChunkCounter(tagger.tagger(), hmm=options["hmm"], keep_whitespace=self.keep_whitespace,
                               with_tags=self.with_tags, tags=self.tags)


def pos_counter_factory(
    tokenizer: Any = "jieba",
    *,
    hmm: bool = True,
    cut_all: bool = False,
    user_dict: Optional[str] = None,
    keep_whitespace: bool = False,
    with_tags: bool = True,
    tags: Optional[PosFilter] = None,
) -> PosCounterFactory:
    """Check the options of a count by part of speech and return its factory.

    ``tokenizer``: ``"jieba"`` (the tags of :data:`fastcount.posseg.dt`,
    over ``fastcount.jieba.dt``), a :class:`fastcount.Tokenizer` or
    ``jieba.Tokenizer`` (its dictionary's tags and its user words' tags), or
    a :class:`fastcount.posseg.POSTokenizer`. ``tags``: a POS filter (see
    :func:`fastcount.segmenter._pos_count.tag_matcher`), checked here.
    """
    import jieba

    from fastcount.posseg import POSTokenizer
    from fastcount.segmenter import Tokenizer, tokenizer_for
    from fastcount.segmenter._pos_count import tag_matcher

    if cut_all:
        raise ValueError("pos and pos_filter count jieba.posseg's words, which has no cut_all mode")
    if tags is not None:
        tags = tuple(tags.split(",")) if isinstance(tags, str) else tuple(tags)
        tag_matcher(tags)   # TypeError/ValueError for a bad pattern, here
    options: Dict[str, Any] = {"hmm": bool(hmm)}
    is_name = isinstance(tokenizer, str) and tokenizer == "jieba"
    if not is_name and not isinstance(tokenizer, (POSTokenizer, Tokenizer, jieba.Tokenizer)):
        raise ValueError(f"pos and pos_filter count with jieba.posseg: tokenizer must be 'jieba', a "
                         f"fastcount.Tokenizer, a jieba.Tokenizer or a POSTokenizer, not {tokenizer!r}")
    if user_dict is not None:
        if not is_name:
            raise ValueError("give user_dict or a tokenizer object, not both "
                             "(load the user dictionary into the tokenizer)")
        with open(user_dict, "rb"):     # FileNotFoundError/PermissionError naming it, early
            options["user_dict"] = os.fspath(user_dict)
    elif isinstance(tokenizer, POSTokenizer):
        options["pos_tokenizer"] = tokenizer
    else:   # dt, a Tokenizer, or a copy of a jieba.Tokenizer made once, here
        options["tokenizer"] = tokenizer_for(None if is_name else tokenizer)
    kind = None if is_name else type(tokenizer).__name__
    name = "jieba.posseg (native)" if kind is None else f"jieba.posseg (native, {kind})"
    return PosCounterFactory(name, None, keep_whitespace, options, with_tags=with_tags, tags=tags)


def pair_keys(counts: "Counter") -> "Counter":
    """The counter of a POS count by (word, tag): its ``word\\0tag`` keys as
    ``(word, tag)`` tuples, in the same order."""
    from fastcount import _counter_state
    from fastcount.counter import Counter

    out = Counter()
    # in C: no word\0tag str nor rsplit per key, one str per tag
    _counter_state.pairs_from(out, counts)
    return out
