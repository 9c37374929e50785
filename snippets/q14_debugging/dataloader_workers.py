import time

import torch
from torch.utils.data import DataLoader, Dataset


class SlowDataset(Dataset):
    def __len__(self):
        return 16

    def __getitem__(self, index):
        time.sleep(50 / 1000)  # (1)!
        return torch.full((3,), float(index)), index


def load_one_epoch(loader):
    start = time.perf_counter()
    labels = torch.cat([batch_labels for _, batch_labels in loader])
    return time.perf_counter() - start, torch.equal(labels, torch.arange(16))  # (2)!


if __name__ == "__main__":  # (3)!
    dataset = SlowDataset()
    for workers in (0, 2):
        keep = workers > 0  # (4)!
        loader = DataLoader(dataset, batch_size=2, num_workers=workers, persistent_workers=keep)
        for epoch in (1, 2):
            seconds, in_order = load_one_epoch(loader)
            print(
                f"num_workers={workers}, epoch {epoch}: {seconds * 1e3:.0f} ms, in order {in_order}"
            )
