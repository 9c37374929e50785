import re
from pathlib import Path

import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile, record_function, schedule

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
inputs = torch.randn(512, 64, device=device)
targets = torch.randint(0, 10, (512,), device=device)

activities = [ProfilerActivity.CPU]
if device.type == "cuda":
    activities.append(ProfilerActivity.CUDA)  # (1)!

plan = schedule(wait=1, warmup=1, active=3, repeat=1)  # (2)!
with profile(activities=activities, schedule=plan) as prof:
    for _ in range(5):
        with record_function("forward"):  # (3)!
            loss = nn.functional.cross_entropy(model(inputs), targets)
        with record_function("backward"):
            optimizer.zero_grad()
            loss.backward()
        with record_function("optimizer_step"):
            optimizer.step()
        prof.step()  # (4)!

averages = prof.key_averages()
sort_by = "self_device_time_total" if device.type == "cuda" else "self_cpu_time_total"
table = averages.table(sort_by=sort_by, row_limit=12)  # (5)!
Path("profile_table.txt").write_text(table)
prof.export_chrome_trace("trace.json")  # (6)!

columns = re.split(r"\s{2,}", table.splitlines()[1].strip())
print("table columns:", " | ".join(columns))
shown = ("aten::addmm", "aten::mm", "backward", "forward", "optimizer_step")
for event in sorted(averages, key=lambda event: event.key):
    if event.key in shown and event.device_type == torch.autograd.DeviceType.CPU:  # (7)!
        print(f"{event.key:<15} calls {event.count:>2}, CPU total {event.cpu_time_total:.0f} us")
