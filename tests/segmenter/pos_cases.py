"""What the POS tests compare with jieba.posseg, computed once per test
session: jieba's POS tagger over a private tokenizer, and its pairs of every
sample line (jieba.posseg takes seconds over the sample)."""

import functools

import jieba
import jieba.posseg
from hypothesis import strategies as st
from jieba.posseg import char_state_tab_P

from jieba_cases import read_lines

#: Han characters of posseg's char_state_tab (the HMM's usual case) and all
#: Han characters (outside the table every state is possible: jieba's slow path)
IN_TABLE = sorted(char_state_tab_P)
HAN = [chr(c) for c in range(0x4E00, 0x9FD6)]
HAN_RUNS = st.lists(st.one_of(st.sampled_from(IN_TABLE), st.sampled_from(IN_TABLE),
                              st.sampled_from(IN_TABLE), st.sampled_from(HAN)),
                    min_size=1, max_size=25).map("".join)


@functools.lru_cache(maxsize=None)
def jieba_pos_tokenizer():
    """jieba.posseg's tagger over a private jieba tokenizer (jieba.dt may be
    changed by other tests)."""
    t = jieba.Tokenizer()
    t.initialize()
    return jieba.posseg.POSTokenizer(t)


@functools.lru_cache(maxsize=None)
def sample_pairs(hmm=True):
    """jieba.posseg's (word, tag) pairs of every sample line."""
    tagger = jieba_pos_tokenizer()
    return tuple(tuple((p.word, p.flag) for p in tagger.lcut(line, HMM=hmm)) for line in read_lines())
