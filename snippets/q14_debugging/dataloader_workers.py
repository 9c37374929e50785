import time

import torch
from torch.utils.data import DataLoader, Dataset


class SlowDataset(Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, index):
        time.sleep(0.01)  # (1)!
        return torch.full((3,), float(index)), index


def load_one_epoch(num_workers):
    loader = DataLoader(SlowDataset(), batch_size=8, num_workers=num_workers)  # (2)!
    start = time.perf_counter()
    labels = torch.cat([batch_labels for _, batch_labels in loader])
    return time.perf_counter() - start, labels


if __name__ == "__main__":  # (3)!
    for num_workers in (0, 2):
        elapsed, labels = load_one_epoch(num_workers)
        in_order = torch.equal(labels, torch.arange(64))  # (4)!
        print(f"num_workers={num_workers}: in order {in_order}, {elapsed * 1e3:.0f} ms per epoch")
