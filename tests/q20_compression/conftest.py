"""Shared by this question's tests: torchao's quantize_ changes process-wide settings."""

import pytest


@pytest.fixture(scope="module", autouse=True)
def _restore_inductor_config():
    """quantize_ sets process-wide torch._inductor.config values; keep them out of later tests."""
    import torch._inductor.config as inductor_config

    saved = inductor_config.save_config()
    yield
    inductor_config.load_config(saved)
