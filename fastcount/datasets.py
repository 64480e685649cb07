"""Deterministic generator of Chinese-like text of any size, for benchmarks and tests.

Words are drawn from jieba's own dictionary (``dict.txt`` of the installed jieba
package) in proportion to their dictionary frequencies, which follow Zipf's law;
so generated text has the frequency profile of real Chinese.  To reach large
vocabularies (millions of distinct words), ``extra_words`` synthetic rare words
are added: CJK strings whose first character occurs in no jieba dictionary word,
so they never collide with a dictionary word or with each other.

Lines have realistic lengths (log-normal, ``mean_words`` words on average) and
punctuation (``，、；：`` inside, ``。！？`` at the end).  With ``sep=" "`` the words
and punctuation marks are separated by spaces: a pre-segmented corpus whose
tokens (``line.split()``) are exactly the drawn words, for benchmarks that must
control the vocabulary size.

The output depends only on the arguments: the same ``seed`` gives the same text
on every platform, and a shorter output is a prefix of a longer one.

Command line::

    python -m fastcount.datasets OUT --size 1GB --seed 0 --extra-words 1000000

Sampling is vectorised with numpy; the bench group ``datasets`` measures its speed.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import math
import os
import re
import sys
from typing import Iterator, Optional, Tuple

import numpy as np

__all__ = ["generate", "generate_bytes", "write", "parse_size", "main"]

# Lines per generated block.  Fixed (never derived from the requested size) so
# that every output is a prefix of any longer output with the same arguments.
_BLOCK_LINES = 8192

# CJK Unified Ideographs used for synthetic words (jieba's own Han range ends at
# U+9FD5; U+9FA5 is the end of the long-established block).
_CJK_FIRST, _CJK_LAST = 0x4E00, 0x9FA5

# Punctuation inside a line and at its end, with their relative weights.
_INNER_PUNCT = (("，", 0.70), ("、", 0.15), ("；", 0.05), ("：", 0.05), ("…", 0.05))
_END_PUNCT = (("。", 0.75), ("！", 0.15), ("？", 0.10))
_PUNCT_AFTER_WORD = 0.12  # chance of an inner punctuation mark after a word

_SIZE_UNITS = {
    "": 1, "B": 1,
    "K": 1000, "KB": 1000, "M": 1000**2, "MB": 1000**2, "G": 1000**3, "GB": 1000**3,
    "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3,
}


def parse_size(text) -> int:
    """Parse a byte size: an int, or a string such as ``"1GB"``, ``"500MB"``, ``"64KiB"``.

    ``K/M/G`` and ``KB/MB/GB`` are powers of 1000; ``KiB/MiB/GiB`` powers of 1024.
    """
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        value = int(text)
    else:
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(text))
        unit = match.group(2).upper() if match else None
        if unit not in _SIZE_UNITS:
            raise ValueError(f"invalid size {text!r}: expected e.g. 1000, 64KiB, 500MB or 1GB")
        value = int(float(match.group(1)) * _SIZE_UNITS[unit])
    if value < 0:
        raise ValueError(f"invalid size {text!r}: must not be negative")
    return value


def _jieba_dict_path() -> str:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("fastcount.datasets needs the jieba package (its dict.txt)")
    return os.path.join(list(spec.submodule_search_locations)[0], "dict.txt")


@functools.lru_cache(maxsize=2)
def _jieba_words() -> Tuple[Tuple[str, ...], np.ndarray]:
    """jieba's dictionary words and frequencies, most frequent first (stable order)."""
    words, freqs = [], []
    with open(_jieba_dict_path(), encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            parts = line.split(" ")
            if len(parts) < 2:
                raise ValueError(f"{f.name}:{lineno}: expected 'word freq [tag]'")
            if int(parts[1]) > 0:  # a zero-frequency entry is never drawn anyway
                words.append(parts[0])
                freqs.append(int(parts[1]))
    freqs = np.asarray(freqs, dtype=np.int64)
    order = np.argsort(-freqs, kind="stable")
    return tuple(words[i] for i in order), freqs[order]


@functools.lru_cache(maxsize=1)
def _unused_first_chars() -> np.ndarray:
    """Code points of CJK characters that occur in no jieba dictionary word."""
    used = set("".join(_jieba_words()[0]))
    return np.array(
        [cp for cp in range(_CJK_FIRST, _CJK_LAST + 1) if chr(cp) not in used], dtype=np.int64
    )


def _utf8_3(cps: np.ndarray) -> np.ndarray:
    """UTF-8 bytes of BMP code points U+0800..U+FFFF (3 bytes each), shape (..., 3)."""
    out = np.empty(cps.shape + (3,), dtype=np.uint8)
    out[..., 0] = 0xE0 | (cps >> 12)
    out[..., 1] = 0x80 | ((cps >> 6) & 0x3F)
    out[..., 2] = 0x80 | (cps & 0x3F)
    return out


def _extra_word_bytes(count: int, seed: int, suffix: bytes) -> Tuple[np.ndarray, np.ndarray]:
    """UTF-8 arena and lengths of ``count`` distinct synthetic rare words, each + suffix.

    Word i has 2, 3 or 4 characters (i % 3).  Among words of one length, the pair
    (first, last character) is a bijective scramble of i // 3, so all words are
    distinct; the first character occurs in no jieba word, so none is a
    dictionary word.  Middle characters are random (seeded).
    """
    first = _unused_first_chars()
    n_cjk = _CJK_LAST - _CJK_FIRST + 1
    space = len(first) * n_cjk
    if (count + 2) // 3 > space:
        raise ValueError(f"extra_words={count} is more than this generator can make ({3 * space})")
    i = np.arange(count, dtype=np.int64)
    nchars = 2 + i % 3
    # An affine map with a multiplier coprime to `space` permutes 0..space-1, so
    # consecutive words do not share their first character.
    mult = 1_000_003
    while math.gcd(mult, space) != 1:
        mult += 2
    j = ((i // 3) * mult + 12_345) % space
    cps = np.empty((count, 4), dtype=np.int64)
    cps[:, 0] = first[j // n_cjk]
    last = _CJK_FIRST + j % n_cjk
    rng = np.random.default_rng([seed, 0xE27A])
    cps[:, 1:3] = rng.integers(_CJK_FIRST, _CJK_LAST + 1, size=(count, 2))
    cps[np.arange(count), nchars - 1] = last
    width = 12 + len(suffix)
    matrix = np.zeros((count, width), dtype=np.uint8)
    matrix[:, :12] = _utf8_3(cps).reshape(count, 12)
    lengths = 3 * nchars + len(suffix)
    if suffix:
        rows = np.arange(count)[:, None]
        cols = (3 * nchars)[:, None] + np.arange(len(suffix))
        matrix[rows, cols] = np.frombuffer(suffix, dtype=np.uint8)
    keep = np.arange(width) < lengths[:, None]
    return matrix[keep], lengths


@functools.lru_cache(maxsize=4)
def _base_tokens(n_base: int, suffix: bytes) -> Tuple[np.ndarray, np.ndarray]:
    """UTF-8 arena and lengths of the first n_base words + suffix, then the punctuation."""
    pieces = [w.encode("utf-8") + suffix for w in _jieba_words()[0][:n_base]]
    pieces += [p.encode("utf-8") + suffix for p, _ in _INNER_PUNCT]
    pieces += [p.encode("utf-8") + b"\n" for p, _ in _END_PUNCT]
    arena = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    return arena, np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))


class _Model:
    """The token inventory and sampling tables for one set of generator options."""

    def __init__(self, seed, extra_words, rare_fraction, base_words, sep, mean_words):
        if isinstance(extra_words, bool) or not isinstance(extra_words, (int, np.integer)) or extra_words < 0:
            raise ValueError(f"extra_words must be an int >= 0, got {extra_words!r}")
        words, freqs = _jieba_words()
        if base_words is None:
            base_words = len(words)
        if isinstance(base_words, bool) or not isinstance(base_words, (int, np.integer)) or not 1 <= base_words <= len(words):
            raise ValueError(f"base_words must be an int in 1..{len(words)} or None, got {base_words!r}")
        if not isinstance(sep, str) or "\n" in sep or "\r" in sep:
            raise ValueError(f"sep must be a str without line breaks, got {sep!r}")
        if not (isinstance(mean_words, (int, float)) and 1 <= mean_words <= 10_000):
            raise ValueError(f"mean_words must be a number in 1..10000, got {mean_words!r}")
        if rare_fraction is None:
            # Continue Zipf's law past the dictionary: rank r has weight 1/r, so
            # ranks base_words+1 .. base_words+extra_words get this share.
            v, e = base_words, extra_words
            rare_fraction = (math.log((v + e) / v) / (math.log(v + e) + 0.5772156649)) if e else 0.0
        if not (isinstance(rare_fraction, (int, float)) and 0.0 <= rare_fraction < 1.0):
            raise ValueError(f"rare_fraction must be a number in [0, 1), got {rare_fraction!r}")
        if rare_fraction > 0 and extra_words == 0:
            raise ValueError("rare_fraction > 0 needs extra_words > 0")
        self.seed = seed
        self.n_base = int(base_words)
        self.n_extra = int(extra_words)
        self.rare_fraction = float(rare_fraction)
        self.mean_words = float(mean_words)
        self.cum_freq = np.cumsum(freqs[: self.n_base])

        suffix = sep.encode("utf-8")
        base_arena, base_lengths = _base_tokens(self.n_base, suffix)
        # Token ids: [0, n_base) dictionary words, then inner punctuation, then
        # line ends, then the extra words (so their ids stay contiguous).
        self.inner_first = self.n_base
        self.end_first = self.n_base + len(_INNER_PUNCT)
        self.extra_first = self.end_first + len(_END_PUNCT)
        if self.n_extra:
            extra_arena, extra_lengths = _extra_word_bytes(self.n_extra, seed, suffix)
            self.arena = np.concatenate([base_arena, extra_arena])
            self.lengths = np.concatenate([base_lengths, extra_lengths])
        else:
            self.arena, self.lengths = base_arena, base_lengths
        self.starts = np.zeros(len(self.lengths), dtype=np.int64)
        np.cumsum(self.lengths[:-1], out=self.starts[1:])
        self.inner_cum = np.cumsum([w for _, w in _INNER_PUNCT])
        self.end_cum = np.cumsum([w for _, w in _END_PUNCT])

    def block(self, rng: np.random.Generator) -> bytes:
        """The UTF-8 bytes of the next ``_BLOCK_LINES`` lines."""
        # Log-normal line lengths, sigma 0.8: many short lines, a few long ones.
        sigma = 0.8
        mu = math.log(self.mean_words) - sigma * sigma / 2
        nwords = np.clip(np.rint(rng.lognormal(mu, sigma, _BLOCK_LINES)), 1, 50 * self.mean_words)
        nwords = nwords.astype(np.int64)
        total = int(nwords.sum())
        ids = np.searchsorted(self.cum_freq, rng.integers(0, self.cum_freq[-1], total), side="right")
        if self.n_extra:
            rare = rng.random(total) < self.rare_fraction
            ids[rare] = self.extra_first + rng.integers(0, self.n_extra, int(rare.sum()))
        # After each word: an inner mark (or nothing); after a line's last word
        # its end mark.
        after = np.full(total, -1, dtype=np.int64)
        punct = rng.random(total) < _PUNCT_AFTER_WORD
        after[punct] = self.inner_first + np.searchsorted(
            self.inner_cum, rng.random(int(punct.sum())) * self.inner_cum[-1], side="right"
        )
        line_ends = np.cumsum(nwords) - 1
        after[line_ends] = self.end_first + np.searchsorted(
            self.end_cum, rng.random(_BLOCK_LINES) * self.end_cum[-1], side="right"
        )
        tokens = np.stack([ids, after], axis=1).ravel()
        tokens = tokens[tokens >= 0]
        # Gather the tokens' bytes from the arena in one vectorised step.
        lengths = self.lengths[tokens]
        out_end = np.cumsum(lengths)
        shift = self.starts[tokens] - (out_end - lengths)
        index = np.repeat(shift, lengths)
        index += np.arange(int(out_end[-1]), dtype=np.int64)
        return self.arena[index].tobytes()


def generate_bytes(
    size_bytes,
    *,
    seed: int = 0,
    extra_words: int = 0,
    rare_fraction: Optional[float] = None,
    base_words: Optional[int] = None,
    sep: str = "",
    mean_words: float = 25,
) -> Iterator[bytes]:
    """Yield the generated text as UTF-8 byte blocks of whole lines (each ending in ``\\n``).

    Generation stops after the first line that reaches ``size_bytes`` bytes, so
    the total is at least ``size_bytes`` and less than ``size_bytes`` plus one
    line; ``size_bytes=0`` yields nothing.  See :func:`generate` for the options.
    """
    size = parse_size(size_bytes)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    # Built here, so bad options raise at the call, not at the first next().
    model = _Model(seed, extra_words, rare_fraction, base_words, sep, mean_words)
    return _blocks(model, size, np.random.default_rng(seed))


def _blocks(model: _Model, size: int, rng: np.random.Generator) -> Iterator[bytes]:
    done = 0
    while done < size:
        block = model.block(rng)
        if done + len(block) >= size:
            cut = block.find(b"\n", size - done - 1)  # the line that reaches `size`
            block = block[: cut + 1]
        done += len(block)
        yield block


def generate(
    size_bytes,
    *,
    seed: int = 0,
    extra_words: int = 0,
    rare_fraction: Optional[float] = None,
    base_words: Optional[int] = None,
    sep: str = "",
    mean_words: float = 25,
) -> Iterator[str]:
    """Yield lines (without their ``\\n``) of deterministic Chinese-like text.

    size_bytes: UTF-8 size of the text with its newlines (an int or e.g. ``"1GB"``);
        the output stops after the first line that reaches it.
    seed: the same seed gives the same text; a smaller size gives a prefix.
    extra_words: number of synthetic rare words added to the vocabulary.
    rare_fraction: share of the words drawn (uniformly) from the extra words;
        by default the share Zipf's law gives their ranks after the dictionary.
    base_words: use only the most frequent ``base_words`` dictionary words.
    sep: put between tokens (``" "`` makes a pre-segmented corpus); default none.
    mean_words: average number of words in a line.
    """
    blocks = generate_bytes(
        size_bytes, seed=seed, extra_words=extra_words, rare_fraction=rare_fraction,
        base_words=base_words, sep=sep, mean_words=mean_words,
    )
    return (line for block in blocks for line in block.decode("utf-8").split("\n")[:-1])


def write(path, size_bytes, **options) -> int:
    """Write :func:`generate`'s text (one line per text, ``\\n`` endings) to ``path``.

    ``path`` may be ``"-"`` for standard output.  A file is written under a
    temporary name and renamed when complete, so an interrupted run never leaves
    a partial file that looks complete.  Returns the number of bytes written.
    Options are those of :func:`generate`.
    """
    blocks = generate_bytes(size_bytes, **options)
    written = 0
    if str(path) == "-":
        out = sys.stdout.buffer
        for block in blocks:
            out.write(block)
            written += len(block)
        out.flush()
        return written
    path = os.fspath(path)
    # Exclusive create next to the target (same file system, so the rename is
    # atomic), with the usual permissions, unlike tempfile.mkstemp's 0600.
    tmp = f"{path}.{os.getpid()}.part"
    out = open(tmp, "xb")
    try:
        with out:
            for block in blocks:
                out.write(block)
                written += len(block)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return written


def main(argv=None) -> int:
    """Command line: ``python -m fastcount.datasets OUT --size 1GB [options]``."""
    parser = argparse.ArgumentParser(
        prog="python -m fastcount.datasets",
        description="Write deterministic Chinese-like text, Zipf-sampled from jieba's dictionary.",
    )
    parser.add_argument("out", help="output file, or - for standard output")
    parser.add_argument("--size", required=True, help="output size: bytes, or e.g. 64KiB, 500MB, 1GB")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--extra-words", type=int, default=0, help="synthetic rare words to add to the vocabulary")
    parser.add_argument("--rare-fraction", type=float, default=None,
                        help="share of words drawn from the extra words (default: Zipf's law)")
    parser.add_argument("--base-words", type=int, default=None,
                        help="use only the N most frequent jieba dictionary words")
    parser.add_argument("--sep", default="", help="separator between tokens, e.g. ' ' (default: none)")
    parser.add_argument("--mean-words", type=float, default=25, help="average words per line (default 25)")
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.size)
        written = write(
            args.out, size, seed=args.seed, extra_words=args.extra_words,
            rare_fraction=args.rare_fraction, base_words=args.base_words, sep=args.sep,
            mean_words=args.mean_words,
        )
    except (ValueError, OSError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    if args.out != "-":
        print(f"wrote {written} bytes to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
