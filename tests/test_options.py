"""The shared options are checked up front, with messages that name them."""

import numpy as np
import pytest

import fastcount
from fastcount.options import whole_number


def _never_read():
    raise AssertionError("the source was read before the options were checked")
    yield  # pragma: no cover


@pytest.mark.parametrize("option, value, error, message", [
    ("workers", 1.5, TypeError, "workers must be an int >= 1 or None, not float 1.5"),
    ("workers", 0, ValueError, "workers must be an int >= 1 or None, got 0"),
    ("workers", True, TypeError, "workers must be an int >= 1 or None, not bool"),
    ("top", 2.5, TypeError, "top must be an int >= 0 or None, not float 2.5"),
    ("top", -1, ValueError, "top must be an int >= 0 or None, got -1"),
    ("top", "10", TypeError, "top must be an int >= 0 or None, not str '10'"),
    ("min_count", 2.0, TypeError, "min_count must be an int >= 1, not float"),
    ("min_count", 0, ValueError, "min_count must be an int >= 1, got 0"),
    ("chunk_size", 0, ValueError, "chunk_size must be an int >= 1 or None, got 0"),
    ("backend", "gpu", ValueError, "backend must be 'threads', 'processes' or None"),
])
def test_count_words_refuses_bad_options_before_reading(option, value, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        fastcount.count_words(_never_read(), "whitespace", **{option: value})


def test_finalize_counts_names_its_options():
    with pytest.raises(TypeError, match="top must be an int >= 0 or None, not float 2.5"):
        fastcount.finalize_counts(fastcount.Counter("ab"), top=2.5)
    with pytest.raises(ValueError, match="min_count must be an int >= 1, got 0"):
        fastcount.finalize_counts(fastcount.Counter("ab"), min_count=0)


def test_integers_of_any_kind_are_taken():
    assert whole_number("workers", np.int64(3), 1) == 3
    assert type(whole_number("top", np.uint8(0), 0)) is int
    got = fastcount.count_words(["b a c a"], "whitespace", workers=np.int32(1), top=np.int64(1))
    assert dict(got) == {"a": 2}


def test_engines_name_their_options(tmp_path):
    pytest.importorskip("dask.bag")
    from fastcount.dask import count_words_dask

    (tmp_path / "a.txt").write_text("a b\n", encoding="utf-8")
    for option, value, error in (("top", 2.5, TypeError), ("min_count", 0, ValueError),
                                 ("split_every", 1, ValueError), ("shards", 1.0, TypeError)):
        with pytest.raises(error, match=f"^{option} must be an int"):
            count_words_dask(tmp_path, **{option: value})
