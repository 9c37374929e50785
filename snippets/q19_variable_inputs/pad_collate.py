import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset


class ToySequences(Dataset):
    def __init__(self, lengths, features=4):
        self.items = [(torch.randn(n, features), n % 2) for n in lengths]  # (sequence, label)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        return self.items[index]


def pad_collate(batch):  # (1)!
    sequences, labels = zip(*batch, strict=True)
    lengths = torch.tensor([len(s) for s in sequences])  # (2)!
    padded = pad_sequence(sequences, batch_first=True, padding_value=0.0)  # (3)!
    return padded, lengths, torch.tensor(labels)


torch.manual_seed(0)
dataset = ToySequences([5, 2, 7, 3, 6, 4])

try:
    next(iter(DataLoader(dataset, batch_size=3)))  # (4)!
except RuntimeError as error:
    print("default collate:", error)

loader = DataLoader(dataset, batch_size=3, collate_fn=pad_collate)
batches = list(loader)
for padded, lengths, labels in batches:
    mask = torch.arange(padded.shape[1]) < lengths[:, None]  # (5)!
    print(
        f"batch {tuple(padded.shape)}, lengths {lengths.tolist()}, labels {labels.tolist()}, "
        f"padded positions {(~mask).sum().item()} of {mask.numel()}"
    )
