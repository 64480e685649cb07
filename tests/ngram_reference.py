"""Straightforward Python references of n-gram counting and new-word discovery.

The tests compare fastcount's n-gram counts and discovery statistics with
these, which say what the results must be in the plainest Python.
"""

import collections
import math
import unicodedata


def is_break(ch: str, keep_punct: bool = False) -> bool:
    """Does ``ch`` end a run of characters (whitespace; punctuation unless kept)?"""
    return ch.isspace() or (not keep_punct and unicodedata.category(ch).startswith("P"))


def _count_runs(counts, run, lo, hi, join):
    # by where they end, shorter first: fastcount's order of first sight
    for end in range(1, len(run) + 1):
        for n in range(lo, min(hi, end) + 1):
            counts[join(run[end - n : end])] += 1


def char_ngrams(texts, lo, hi, keep_punct=False) -> collections.Counter:
    """Counts of the runs of lo..hi characters that span no break or text end."""
    counts = collections.Counter()
    for text in texts:
        run = []
        for ch in text + "\n":
            if not is_break(ch, keep_punct):
                run.append(ch)
                continue
            _count_runs(counts, run, lo, hi, "".join)
            run = []
    return counts


def word_ngrams(docs, lo, hi, keep_punct=False) -> collections.Counter:
    """Counts of the runs of lo..hi tokens (joined by a space); empty tokens
    and tokens made only of break characters end a run."""
    counts = collections.Counter()
    for tokens in docs:
        run = []
        for token in list(tokens) + [""]:
            if token and not all(is_break(ch, keep_punct) for ch in token):
                run.append(token)
                continue
            _count_runs(counts, run, lo, hi, " ".join)
            run = []
    return counts


def entropy(neighbours) -> float:
    """log(S) - T / S over the counts of (character, count) pairs, summed in
    character order; 0 for none."""
    total = sum(count for _, count in neighbours)
    if not total:
        return 0.0
    t = 0.0
    for _, count in sorted(neighbours):
        t += count * math.log(count)
    return math.log(total) - t / total


def discovery(texts, max_len, min_count, keep_punct=False, count=char_ngrams):
    """``{word: (count, cohesion, left entropy, right entropy)}`` for every
    candidate (2..max_len characters, counted at least min_count times);
    ``count(texts, lo, hi, keep_punct)`` counts the character n-grams."""
    counts = count(texts, 1, max_len + 1, keep_punct)
    n_chars = sum(count for gram, count in counts.items() if len(gram) == 1)
    left = collections.defaultdict(list)
    right = collections.defaultdict(list)
    for gram, count in counts.items():
        if len(gram) >= 3:
            left[gram[1:]].append((gram[0], count))
            right[gram[:-1]].append((gram[-1], count))
    result = {}
    for word, count in counts.items():
        if not 2 <= len(word) <= max_len or count < min_count:
            continue
        ratio = min(
            float(n_chars) * count / (float(counts[word[:i]]) * counts[word[i:]])
            for i in range(1, len(word))
        )
        result[word] = (count, math.log(ratio), entropy(left[word]), entropy(right[word]))
    return result
