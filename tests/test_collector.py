"""The pause of the cyclic garbage collector around bulk work restores what it found."""

from __future__ import annotations

import gc

import pytest

from swarmsim.foundation.collector import paused_collector


@pytest.mark.parametrize("enabled", [True, False])
def test_paused_inside_and_restored_after(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with paused_collector():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), paused_collector():
            raise RuntimeError("the body failed")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
