"""Type stub for fastcount._ngram_run_index (reading an n-gram run's index)."""

from typing import List, Optional, Tuple

def index_keys(index: bytes) -> List[bytes]:
    """The n-grams a run's index names (UTF-8, in byte order)."""

def index_start(index: bytes, lo: bytes) -> Optional[Tuple[int, int, bytes]]:
    """The last entry of a run's index whose n-gram is < lo, as (offset, j, n-gram), or None."""
