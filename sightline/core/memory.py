"""Python's cyclic garbage collector, paused for an import's bulk work.

An import makes hundreds of thousands of objects (rows, model instances, audit events) that
live until it ends. Python's cyclic collector runs each time some 700 more objects exist than
it last saw, and each older-generation run walks every one of them again: at 50,000 rows
that was a sixth of a learning import's time. Reference counting still frees whatever is
dropped while paused; cyclic garbage waits for the next collection, once the import is done.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (or a decorated function), and
    start it again after, as it was, whatever happens inside."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
