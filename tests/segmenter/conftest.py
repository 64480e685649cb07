"""Fixtures of the segmenter's tests: jieba and fastcount tokenizers side by side."""

import logging

import jieba
import pytest
from jieba import finalseg

from fastcount.segmenter import Tokenizer
from jieba_cases import read_lines

jieba.setLogLevel(logging.WARNING)


@pytest.fixture(scope="session")
def lines():
    return read_lines()


@pytest.fixture(scope="session")
def jt():
    """A private jieba tokenizer with the default dictionary (jieba.dt may be
    changed by other tests)."""
    t = jieba.Tokenizer()
    t.initialize()
    return t


@pytest.fixture(scope="session")
def ft():
    t = Tokenizer()
    t.initialize()
    return t


@pytest.fixture
def force_split_guard():
    """jieba's Force_Split_Words is a process-wide set that del_word grows:
    put it back as it was after the test."""
    saved = set(finalseg.Force_Split_Words)
    yield
    finalseg.Force_Split_Words.clear()
    finalseg.Force_Split_Words.update(saved)
