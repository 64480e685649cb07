"""Group "datasets": how fast fastcount.datasets writes a generated corpus.

The bench README's command for the large corpus (``--seed 0 --extra-words
1000000``) through ``datasets.write``, at a size per mode (1 GB in huge mode);
the row's throughput column is the speed the module's docstring refers to.
"""

import itertools

#: Bytes written per mode, and the synthetic rare words (fewer in smoke mode: the model builds faster).
SIZES = {"smoke": 200_000, "full": 128_000_000, "huge": 1_000_000_000}
EXTRA_WORDS = {"smoke": 1_000, "full": 1_000_000, "huge": 1_000_000}


def test_datasets_write(bench, scale, tmp_path):
    from fastcount import datasets

    size, extra = SIZES[scale.mode], EXTRA_WORDS[scale.mode]
    path = tmp_path / "corpus.txt"
    written = bench("datasets", "datasets.write", lambda: datasets.write(path, size, seed=0, extra_words=extra),
                    slow=True, size_bytes=size, extra_words=extra)
    bench.info.update(corpus_bytes=written)
    assert path.stat().st_size == written >= size
    with open(path, encoding="utf-8") as f:
        head = [f.readline().rstrip("\n") for _ in range(100)]
    assert head == list(itertools.islice(datasets.generate(size, seed=0, extra_words=extra), 100))

