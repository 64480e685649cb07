"""Measure the inputs of the README's memory figures and its 1 TB / 100-node plan.

    python bench/plan_inputs.py [-o bench/results/plan_inputs.md]

Prints (and writes) a Markdown list: Vocab and dict memory per word for
jieba's dictionary (sys.getsizeof), fastcount.Counter memory per distinct word, the
distinct words and pickled size of one 64 MiB partition of generated text
(fastcount.datasets, a million rare words, as the Dask benchmark's 1 GB
corpus), and the cost per entry of merging 8 such partials. One process,
a few seconds to a minute; resident memory is read from /proc (Linux).
"""

import argparse
import gc
import os
import pickle
import platform
import sys
import time

import jieba

from fastcount import Counter, Vocab, datasets
from fastcount.merge import merge_counts
from fastcount.pipeline import count_partition


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def per_item(build, n):
    """Resident bytes per item of what ``build()`` returns (kept alive)."""
    gc.collect()
    before = rss()
    kept = build()
    gc.collect()
    return (rss() - before) / n, kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", help="also write the Markdown here")
    parser.add_argument("--mib", type=int, default=64, help="partition size (default 64)")
    parser.add_argument("--words", type=int, default=2_000_000,
                        help="distinct words of the Counter measured (default 2,000,000)")
    args = parser.parse_args()
    out_path, mib = args.output, args.mib
    lines = [f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}"]

    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), "rb") as f:
        freq = jieba.Tokenizer.gen_pfdict(f)[0]
    words = [w for w, n in freq.items() if n > 0]  # the words, not their prefixes
    vocab = Vocab(words)
    as_dict = {w: i for i, w in enumerate(words)}
    dict_bytes = sys.getsizeof(as_dict) + sum(sys.getsizeof(w) + sys.getsizeof(i)
                                              for w, i in as_dict.items())
    lines.append(f"- jieba's dictionary, {len(words):,} words: Vocab {sys.getsizeof(vocab) / len(words):.1f} "
                 f"B/word (sys.getsizeof, built word by word), dict str -> int "
                 f"{dict_bytes / len(words):.1f} B/word (with its str and int objects)")

    rare = [f"词{i}语" for i in range(args.words)]
    mean = sum(len(w.encode()) for w in rare) / len(rare)
    counter_b, kept = per_item(lambda: Counter(rare), len(rare))
    del kept
    lines.append(f"- fastcount.Counter, {len(rare):,} distinct words of {mean:.1f} UTF-8 bytes on "
                 f"average: {counter_b:.1f} B/word resident")

    texts = list(datasets.generate(mib << 20, seed=0, extra_words=1_000_000))
    t0 = time.perf_counter()
    partial = count_partition(texts)
    seconds = time.perf_counter() - t0
    size = len(pickle.dumps(partial, protocol=pickle.HIGHEST_PROTOCOL))
    lines.append(f"- one {mib} MiB partition of generated text: {len(partial):,} distinct words, "
                 f"pickled partial {size / 1e6:.1f} MB = {size / len(partial):.1f} B/word; "
                 f"counted in {seconds:.2f} s ({mib * 2**20 / seconds / 1e6:.0f} MB/s)")

    n = len(texts) // 8
    partials = [count_partition(texts[i * n:(i + 1) * n]) for i in range(8)]
    entries = sum(len(p) for p in partials)
    blobs = [pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL) for p in partials]
    t0 = time.perf_counter()
    back = [pickle.loads(b) for b in blobs]
    unpickle = time.perf_counter() - t0
    t0 = time.perf_counter()
    merged = merge_counts(back)
    merge = time.perf_counter() - t0
    lines.append(f"- merging 8 partials of {mib / 8:g} MiB each ({entries:,} entries, {len(merged):,} words): "
                 f"unpickle {unpickle / entries * 1e9:.0f} ns/entry, merge {merge / entries * 1e9:.0f} "
                 f"ns/entry")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
