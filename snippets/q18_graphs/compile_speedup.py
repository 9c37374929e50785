import time

import torch
from torch.utils import benchmark

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.set_num_threads(1)  # (1)!


def gelu_tanh(x):  # (2)!
    return 0.5 * x * (1 + torch.tanh(0.7978845608 * (x + 0.044715 * x**3)))


x = torch.randn(1_000_000, device=device)
compiled = torch.compile(gelu_tanh)  # (3)!

start = time.perf_counter()
y = compiled(x)  # (4)!
if device.type == "cuda":
    torch.cuda.synchronize()
first_call = time.perf_counter() - start
print(f"first call (capture, then compile or load from cache): {first_call:.1f} s")
print("same result as eager:", torch.allclose(y, gelu_tanh(x), atol=1e-5))

medians = {}
for name, fn in (("eager", gelu_tanh), ("compiled", compiled)):
    timer = benchmark.Timer(stmt="fn(x)", globals={"fn": fn, "x": x})  # (5)!
    medians[name] = timer.blocked_autorange(min_run_time=0.3).median
    print(f"{name}: median {medians[name] * 1e3:.3f} ms")
