"""Loaded by every Python process a multiprocess snippet starts (PYTHONPATH points here)."""

import os

import netguard

netguard.install()

if "SNIPPET_SEED" in os.environ:
    import random

    import torch

    seed = int(os.environ["SNIPPET_SEED"])
    random.seed(seed)
    torch.manual_seed(seed)
