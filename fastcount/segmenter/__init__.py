"""The jieba-exact segmenter: jieba's segmentation and word counting, token
for token, computed in C.

- :class:`Tokenizer` (``tokenizer.py``): ``jieba.Tokenizer``'s API; :data:`dt`
  the default one;
- :class:`Dictionary` (``_dictionary``): jieba's ``FREQ`` and ``total`` in C,
  loaded from a dictionary file through a cache file (``loading.py``);
- :class:`ChunkCounter` (``_count``): segments and counts in C, the native
  chunk counter of ``fastcount.count_words``;
- the native layers under them, each a ``.pxd`` for Cython code to cimport:
  ``_trie`` (the tries and their lookups), ``_cut`` (DAG, route and cut
  modes), ``_hmm`` (finalseg's Viterbi).
"""

from fastcount.segmenter._count import ChunkCounter
from fastcount.segmenter._dictionary import Dictionary
from fastcount.segmenter.tokenizer import Tokenizer, dt, tokenizer_for

__all__ = ["ChunkCounter", "Dictionary", "Tokenizer", "dt", "tokenizer_for"]
