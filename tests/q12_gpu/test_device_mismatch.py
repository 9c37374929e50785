import pytest

pytestmark = pytest.mark.gpu


def test_mismatch_raises_and_moving_inputs_fixes_it(snippet):
    first, second = snippet.stdout.splitlines()
    assert first.startswith("RuntimeError: ")
    assert "device" in first
    device = snippet.namespace["device"]
    assert second.startswith(f"output device: {device.type}")
