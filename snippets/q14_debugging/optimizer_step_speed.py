import torch
from torch import nn
from torch.utils import benchmark

torch.manual_seed(0)
torch.set_num_threads(1)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = nn.Sequential(*[nn.Linear(64, 64) for _ in range(16)]).to(device)  # (1)!
for param in model.parameters():
    param.grad = torch.randn_like(param)

variants = {"for-loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}
optimizers = {
    name: torch.optim.Adam(model.parameters(), **flags) for name, flags in variants.items()
}  # (2)!
timers = {
    name: benchmark.Timer("optimizer.step()", globals={"optimizer": optimizer})
    for name, optimizer in optimizers.items()
}
best = dict.fromkeys(timers, float("inf"))
for _ in range(30):
    for name, timer in timers.items():
        best[name] = min(best[name], timer.timeit(1).median)
for name, seconds in best.items():
    print(f"Adam, {name:<8}: {seconds * 1e3:.2f} ms per step")

state = optimizers["fused"].state[model[0].weight]
print("state per parameter:", ", ".join(state))  # (3)!
param_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
state_bytes = sum(
    t.numel() * t.element_size()
    for param_state in optimizers["fused"].state.values()
    for t in param_state.values()
    if t.dim() > 0
)
print(f"Adam state: {state_bytes / param_bytes:.1f}x the parameter memory")
