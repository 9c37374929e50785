import re

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def test_loss_goes_down(snippet):
    losses = [float(v) for v in re.findall(r"mean loss (\d+\.\d+)", snippet.stdout)]
    assert len(losses) == 3
    assert losses[0] > losses[1] > losses[2]


def test_fabric_trains_exactly_like_the_plain_pytorch_loop(snippet):
    ns = snippet.namespace
    device = ns["fabric"].device
    torch.manual_seed(0)
    features = torch.randn(256, 10)
    labels = (features.sum(dim=1) > 0).long()
    assert torch.equal(features, ns["features"])
    loader = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is faster on a busy machine
    try:
        for _ in range(3):
            for inputs, targets in loader:
                loss = nn.functional.cross_entropy(model(inputs.to(device)), targets.to(device))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    finally:
        torch.set_num_threads(threads)
    for plain, fabric in zip(model.parameters(), ns["model"].parameters(), strict=True):
        if device.type == "cpu":
            assert torch.equal(plain, fabric)
        else:
            torch.testing.assert_close(plain, fabric)


def test_checkpoint_holds_model_optimizer_and_epoch(snippet):
    ns = snippet.namespace
    saved = torch.load(snippet.workdir / "fabric.ckpt", map_location="cpu", weights_only=True)
    assert set(saved) == {"model", "optimizer", "epoch"}
    for name, tensor in ns["model"].state_dict().items():
        assert torch.equal(saved["model"][name], tensor.cpu())
    assert ns["remainder"] == {"epoch": 2}
    assert ns["new_optimizer"].state_dict()["param_groups"][0]["lr"] == 0.1
    assert "same predictions: True" in snippet.stdout


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    from lightning.fabric.accelerators import CUDAAccelerator

    ns = snippet.namespace
    assert isinstance(ns["fabric"].accelerator, CUDAAccelerator)
    assert ns["fabric"].device.type == "cuda"
    assert all(p.is_cuda for p in ns["model"].parameters())
    assert ns["inputs"].is_cuda  # setup_dataloaders moved the batches to the GPU
