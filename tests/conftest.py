"""Shared fixtures for the test suite."""

import os

import pytest

import fastcount


@pytest.fixture
def child_env():
    """Environment for a child Python that imports the same fastcount as the tests.

    Children run with their cwd in a temporary directory, so the checkout's
    uncompiled ``fastcount/`` cannot shadow the installed package; the
    PYTHONPATH entry makes an in-place build (``build_ext --inplace``) work too.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(fastcount.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env
