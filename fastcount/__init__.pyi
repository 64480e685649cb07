from fastcount._hashcounter import HashCounter as HashCounter
from fastcount._vocab import Vocab as Vocab
from fastcount.counter import Counter as Counter
from fastcount.pipeline import count_partition as count_partition
from fastcount.pipeline import count_words as count_words
from fastcount.segmenter import Tokenizer as Tokenizer
from fastcount.jieba import cut as cut
from fastcount.jieba import cut_for_search as cut_for_search
from fastcount.jieba import lcut as lcut
from fastcount.jieba import lcut_for_search as lcut_for_search

__version__: str
__all__: list[str]
