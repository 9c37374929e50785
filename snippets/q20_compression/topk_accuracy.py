import torch


def topk_correct(logits, labels, ks=(1, 5)):
    top = logits.topk(max(ks), dim=1).indices  # (1)!
    hits = top == labels.unsqueeze(1)  # (2)!
    return {k: hits[:, :k].any(dim=1).sum().item() for k in ks}  # (3)!


logits = torch.tensor(  # (4)!
    [
        [0.1, 2.0, 0.3, 0.0, -1.0, 0.5],
        [1.5, 0.2, 0.9, -0.3, 2.5, 0.0],
        [0.4, 0.3, 0.2, 0.1, 0.0, -0.1],
    ]
)
labels = torch.tensor([1, 2, 5])
print("top-k indices:", logits.topk(3, dim=1).indices.tolist())
counts = topk_correct(logits, labels, ks=(1, 3, 5))
print("correct:", counts)  # (5)!
print("accuracy:", {k: round(c / len(labels), 3) for k, c in counts.items()})
