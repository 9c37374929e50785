import datetime
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

GLOBAL_BATCH = 32
EPOCHS = 3


def make_dataset():
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(256, 10, generator=generator)
    labels = (features.sum(dim=1) > 0).long()
    return TensorDataset(features, labels)


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))


def main():
    local_rank = int(os.environ["LOCAL_RANK"])  # (1)!
    if torch.cuda.is_available():
        device = torch.device("cuda", local_rank)  # (2)!
        torch.cuda.set_device(device)
        backend, device_id = "nccl", device
    else:
        device, backend, device_id = torch.device("cpu"), "gloo", None
    timeout = datetime.timedelta(seconds=60)
    dist.init_process_group(backend, timeout=timeout, device_id=device_id)  # (3)!
    rank, world_size = dist.get_rank(), dist.get_world_size()

    dataset = make_dataset()
    sampler = DistributedSampler(dataset, shuffle=True, seed=0)  # (4)!
    loader = DataLoader(dataset, batch_size=GLOBAL_BATCH // world_size, sampler=sampler)  # (5)!

    model = make_model().to(device)
    model = DDP(model, device_ids=[local_rank] if device.type == "cuda" else None)  # (6)!
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()

    if rank == 0:  # (7)!
        print(f"world size {world_size}, backend {backend}")
        share = f"{len(sampler)} of {len(dataset)} samples per epoch"
        print(f"each rank: {share}, batch {loader.batch_size}")
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)  # (8)!
        loss_sum, count = 0.0, 0
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            loss = loss_fn(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()  # (9)!
            optimizer.step()
            loss_sum += loss.item() * len(inputs)
            count += len(inputs)
        totals = torch.tensor([loss_sum, count], device=device)
        dist.all_reduce(totals)  # (10)!
        if rank == 0:
            print(f"epoch {epoch}  mean loss {(totals[0] / totals[1]).item():.4f}")

    weights = nn.utils.parameters_to_vector(model.parameters()).detach()
    everyone = [torch.empty_like(weights) for _ in range(world_size)]
    dist.all_gather(everyone, weights)  # (11)!
    if rank == 0:
        print("replicas identical:", all(torch.equal(weights, w) for w in everyone))
        torch.save(model.module.state_dict(), "ddp_model.pt")  # (12)!
        print("rank 0 saved ddp_model.pt")
    dist.barrier()  # (13)!
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
