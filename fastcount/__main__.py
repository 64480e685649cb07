"""``python -m fastcount``: the ``fastcount`` command (see :mod:`fastcount.cli`)."""

from fastcount.cli import main

# The guard matters: worker processes started with spawn import this module
# as __mp_main__, and must not run the command again.
if __name__ == "__main__":
    raise SystemExit(main())
