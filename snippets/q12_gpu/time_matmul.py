import torch
from torch.utils import benchmark

devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])

for device in devices:
    a = torch.randn(1024, 1024, device=device)
    b = torch.randn(1024, 1024, device=device)
    timer = benchmark.Timer(stmt="a @ b", globals={"a": a, "b": b})  # (1)!
    measurement = timer.blocked_autorange(min_run_time=0.5)
    print(f"{device}: 1024x1024 matmul, median {measurement.median * 1e3:.3f} ms")

if torch.cuda.is_available():
    base = torch.cuda.memory_allocated()
    big = torch.empty(256, 1024, 1024, device="cuda")  # (2)!
    print(f"1 GiB tensor: allocated +{(torch.cuda.memory_allocated() - base) / 2**20:.0f} MiB")
    del big
    print(
        f"after del: allocated +{(torch.cuda.memory_allocated() - base) / 2**20:.0f} MiB, "
        f"reserved {torch.cuda.memory_reserved() / 2**20:.0f} MiB"
    )  # (3)!
    torch.cuda.empty_cache()
    print(f"after empty_cache: reserved {torch.cuda.memory_reserved() / 2**20:.0f} MiB")
