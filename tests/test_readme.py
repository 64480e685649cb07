"""The README's Python examples (``>>>`` lines) give the output it shows."""

import doctest
import pathlib

import pytest

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.skipif(not README.is_file(), reason="no README.md beside tests/ (not a checkout)")
def test_readme_examples():
    # A code fence ends an example's expected output, as a blank line would.
    text = "\n".join("" if line.startswith("```") else line
                     for line in README.read_text(encoding="utf-8").splitlines())
    test = doctest.DocTestParser().get_doctest(text, {}, "README.md", str(README), 0)
    assert len(test.examples) >= 10
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0
