import gc

import pytest

from sightline.core.memory import collection_paused


def test_the_collector_is_paused_inside_and_running_again_after():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_when_the_block_fails():
    @collection_paused()
    def fails() -> None:
        assert not gc.isenabled()
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        fails()
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused():
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_imports_run_with_the_collector_paused(monkeypatch):
    from sightline.learning import importing
    from sightline.learning import services as learning

    seen = []

    def parse(*args, **kwargs):
        seen.append(gc.isenabled())
        raise RuntimeError("stop")

    monkeypatch.setattr(importing, "parse", parse)
    with pytest.raises(RuntimeError, match="stop"):
        learning.import_learning(actor=None, name="x.csv", content=b"a\n")
    assert seen == [False]
    assert gc.isenabled()
