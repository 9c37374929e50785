import copy
import io

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import prune
from torch.utils.data import DataLoader, TensorDataset
from torchao.quantization import Int8WeightOnlyConfig, quantize_

torch.manual_seed(0)

num_classes = 20
centers = torch.randn(num_classes, 64) * 0.35


def make_split(n):
    labels = torch.randint(num_classes, (n,))
    return TensorDataset(centers[labels] + torch.randn(n, 64), labels)


train_loader = DataLoader(make_split(4000), batch_size=256, shuffle=True)
test_loader = DataLoader(make_split(2000), batch_size=256)


def train(model, epochs, lr):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    model.train()  # (1)!
    for _ in range(epochs):
        for inputs, labels in train_loader:
            loss = F.cross_entropy(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


def evaluate(model):
    top1 = top5 = total = 0
    with torch.inference_mode():
        for inputs, labels in test_loader:
            hits = model(inputs).topk(5, dim=1).indices == labels.unsqueeze(1)  # (2)!
            top1 += hits[:, 0].sum().item()
            top5 += hits.any(dim=1).sum().item()
            total += labels.numel()
    return top1 / total, top5 / total


def report(name, model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    top1, top5 = evaluate(model)
    size = buffer.getbuffer().nbytes
    print(f"{name:28} {size:>9,} bytes  top-1 {top1:.3f}  top-5 {top5:.3f}")


model = nn.Sequential(
    nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, num_classes)
)
train(model, epochs=5, lr=0.05)
report("fp32", model)

pruned = copy.deepcopy(model)
weights = [(m, "weight") for m in pruned if isinstance(m, nn.Linear)]
prune.global_unstructured(weights, pruning_method=prune.L1Unstructured, amount=0.9)
report("pruned 90%, masks on", pruned)  # (3)!
train(pruned, epochs=2, lr=0.01)  # (4)!
for module, name in weights:
    prune.remove(module, name)
report("pruned 90%, fine-tuned", pruned)

quantized = copy.deepcopy(model)
quantize_(quantized, Int8WeightOnlyConfig())  # (5)!
report("int8 weight-only (torchao)", quantized)
