import copy
import gzip
import io

import torch
from torch import nn
from torch.nn.utils import prune
from torch.utils import benchmark

torch.manual_seed(0)


def saved_bytes(state_dict):  # (1)!
    buffer = io.BytesIO()
    torch.save(state_dict, buffer)
    return buffer.getvalue()


def best_ms(model, x):
    timer = benchmark.Timer(stmt="model(x)", globals={"model": model, "x": x})
    return min(timer.blocked_autorange(min_run_time=0.3).times) * 1e3


model = nn.Sequential(
    nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
)
dense = copy.deepcopy(model)
dense_size = len(saved_bytes(model.state_dict()))
print(f"dense:        {dense_size:,} bytes  keys {list(model[0].state_dict())}")

to_prune = [(model[0], "weight"), (model[2], "weight"), (model[4], "weight")]
prune.global_unstructured(to_prune, pruning_method=prune.L1Unstructured, amount=0.9)  # (2)!
masked_size = len(saved_bytes(model.state_dict()))
print(f"with masks:   {masked_size:,} bytes  keys {list(model[0].state_dict())}")  # (3)!

for module, name in to_prune:
    prune.remove(module, name)  # (4)!
pruned_size = len(saved_bytes(model.state_dict()))
print(f"after remove: {pruned_size:,} bytes  keys {list(model[0].state_dict())}")
for i, (module, _) in enumerate(to_prune):
    print(f"  layer {i}: {(module.weight == 0).float().mean().item():.1%} zeros")  # (5)!

sparse_state = {k: v.to_sparse() if v.dim() == 2 else v for k, v in model.state_dict().items()}
torch.save(sparse_state, "pruned_sparse.pt")  # (6)!
sparse_size = len(saved_bytes(sparse_state))
print(f"to_sparse():  {sparse_size:,} bytes ({sparse_size / dense_size:.0%} of dense)")
gzip_ratio = len(gzip.compress(saved_bytes(model.state_dict()))) / dense_size
print(f"gzip of the pruned file: {gzip_ratio:.0%} of dense")  # (7)!

loaded = torch.load("pruned_sparse.pt")
restored = copy.deepcopy(dense)
restored.load_state_dict({k: v.to_dense() for k, v in loaded.items()})  # (8)!
x = torch.randn(64, 256)
print("restored model equals pruned model:", torch.equal(restored(x), model(x)))

with torch.inference_mode():
    dense_ms, pruned_ms = [], []
    for _ in range(5):  # (9)!
        dense_ms.append(best_ms(dense, x))
        pruned_ms.append(best_ms(model, x))
print(f"forward, dense:  {min(dense_ms):.3f} ms")
print(f"forward, pruned: {min(pruned_ms):.3f} ms")
