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

if "LOCAL_RANK" in os.environ:
    # A torchrun worker (q16's ddp_train.py, in the tests and in the page's notebook). In PyTorch
    # 2.14.1 DDP imports torch._dynamo the first time it is built; when that happens after
    # init_process_group, the import keeps the default process group alive past
    # destroy_process_group(), gloo's worker threads run on into interpreter shutdown, and now and
    # then one is killed there: SIGABRT, "terminate called without an active exception", after
    # training had finished (about 1 run in 7 on a loaded 2-core machine). Importing it before the
    # snippet runs avoids that, so the reader's script stays free of the workaround.
    # tests/q16_data_parallel/test_ddp_train.py checks the upstream behaviour: when it fails,
    # PyTorch has fixed it and this import can go.
    import torch._dynamo  # noqa: F401
