"""The native helper layer (fastcount/_native.pxd) against Python's own codecs
and integers, through the test-only hooks module (tests/native_hooks.pyx)."""

import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# Every code point, surrogates included, with the encoding boundaries and the
# surrogate range drawn often.
EDGES = [0, 0x7F, 0x80, 0xFF, 0x100, 0x7FF, 0x800, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF,
         0xE000, 0xFFFF, 0x10000, 0x10FFFF]
code_points = st.one_of(st.integers(0, 0x10FFFF), st.sampled_from(EDGES),
                        st.integers(0xD800, 0xDFFF), st.integers(0, 0x7F))
texts = st.lists(code_points, max_size=40).map(lambda cps: "".join(map(chr, cps)))


@st.composite
def _mutated(draw):
    """Bytes near valid UTF-8: an encoded text with bytes replaced, dropped or inserted."""
    base = draw(texts).encode("utf-8", "surrogatepass")
    b = bytearray(base)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["set", "drop", "insert"]))
        if op != "insert" and not b:
            continue
        pos = draw(st.integers(0, max(len(b) - 1, 0)))
        byte = draw(st.one_of(st.integers(0, 255), st.sampled_from(
            [0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF])))
        if op == "set":
            b[pos] = byte
        elif op == "drop":
            del b[pos]
        else:
            b.insert(pos, byte)
    return bytes(b)


byte_strings = st.one_of(st.binary(max_size=40), _mutated())


@pytest.fixture(scope="module")
def hooks():
    import native_build

    return native_build.load()


def _first_error(b, errors):
    try:
        b.decode("utf-8", errors)
    except UnicodeDecodeError as e:
        return e.start
    return -1


@settings(max_examples=250, deadline=None)
@given(texts)
@example("\ud800\udc00")  # a surrogate pair stays two lone surrogates (not U+10000)
def test_encode_is_surrogatepass_utf8(hooks, s):
    expected = s.encode("utf-8", "surrogatepass")
    assert hooks.utf8_encode(s) == expected
    assert hooks.utf8_encode_ucs4(s) == (len(expected), expected)
    assert hooks.str_utf8_need(s) >= (0 if s.isascii() else len(expected))


@settings(max_examples=250, deadline=None)
@given(texts, st.integers(0, 200))
def test_str_utf8_in_place_for_ascii_else_into_the_buffer(hooks, s, room):
    n, got, in_place = hooks.str_utf8(s, room)
    expected = s.encode("utf-8", "surrogatepass")
    if s.isascii():
        assert (n, got, in_place) == (len(s), expected, True)
    elif room >= hooks.str_utf8_need(s):
        assert (n, got, in_place) == (len(expected), expected, False)
    else:
        assert (n, got) == (-1, None)


@settings(max_examples=250, deadline=None)
@given(byte_strings)
@example(b"\xed\xa0\x80")      # an encoded surrogate
@example(b"\xe0\x80\x80")      # overlong
@example(b"\xf4\x90\x80\x80")  # above U+10FFFF
@example(b"\xe4\xb8")          # truncated
def test_validate_matches_python_strict_and_surrogatepass(hooks, b):
    assert hooks.utf8_invalid_at(b, False) == _first_error(b, "strict")
    assert hooks.utf8_invalid_at(b, True) == _first_error(b, "surrogatepass")


@settings(max_examples=250, deadline=None)
@given(st.one_of(byte_strings, texts.map(lambda s: s.encode("utf-8", "surrogatepass"))))
@example(b"\xed\xa0\x80")
def test_strict_decode_matches_bytes_decode(hooks, b):
    try:
        expected = b.decode("utf-8")
    except UnicodeDecodeError:
        expected = None
    assert hooks.utf8_decode_strict(b) == expected


@settings(max_examples=250, deadline=None)
@given(texts)
def test_str_from_valid_utf8_round_trips_in_the_narrowest_kind(hooks, s):
    got = hooks.str_from_valid_utf8(s.encode("utf-8", "surrogatepass"))
    assert got == s
    # the same PEP 393 kind as the str Python builds (CPython requires the narrowest)
    assert sys.getsizeof(got) == sys.getsizeof("".join(list(s)))


int64s = st.one_of(st.integers(INT64_MIN, INT64_MAX),
                   st.sampled_from([INT64_MIN, INT64_MIN + 1, -1, 0, 1, INT64_MAX - 1, INT64_MAX]))


@settings(max_examples=250, deadline=None)
@given(int64s, int64s)
def test_checked_add_and_sub(hooks, a, b):
    def fits(x):
        return x if INT64_MIN <= x <= INT64_MAX else None

    assert hooks.add_overflows(a, b) == fits(a + b)
    assert hooks.sub_overflows(a, b) == fits(a - b)


@pytest.mark.parametrize("cap, need, shift, expected", [
    (0, 0, 0, 16), (0, 1, 2, 16), (16, 17, 0, 32), (16, 17, 2, 20), (100, 1000, 0, 1000),
    (2**62, 2**62 + 1, 0, 2**62 + 1), (2**63 - 1, 2**63 - 1, 0, 2**63 - 1), (0, -1, 0, -1)])
def test_growth_rule(hooks, cap, need, shift, expected):
    assert hooks.grown_capacity(cap, need, shift) == expected


def test_grow_keeps_the_contents_and_refuses_impossible_sizes(hooks):
    assert hooks.grow(10, 5, 8, 0) == (0, 10, True)        # already room
    assert hooks.grow(10, 11, 8, 0) == (0, 16, True)
    assert hooks.grow(40, 41, 1, 2) == (0, 50, True)
    assert hooks.grow(40, 41, 1, 0) == (0, 80, True)
    # more than the address space: refused, the old buffer is kept as it was
    assert hooks.grow(40, 2**62, 8, 0) == (-1, 40, True)
    assert hooks.grow(40, 2**63 - 1, 1 << 20, 0) == (-1, 40, True)
