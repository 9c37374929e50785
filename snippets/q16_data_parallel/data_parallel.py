import threading

import torch
from torch import nn


class Recorder(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(10, 2)
        self.calls = []  # (1)!

    def forward(self, x):
        on_main_thread = threading.current_thread() is threading.main_thread()
        self.calls.append((str(x.device), len(x), on_main_thread))
        return self.linear(x)


torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = Recorder().to(device)  # (2)!
dp_model = nn.DataParallel(model)  # (3)!
print("device_ids:", dp_model.device_ids)

inputs = torch.randn(8, 10)  # (4)!
outputs = dp_model(inputs)
for where, rows, on_main_thread in sorted(model.calls):  # (5)!
    print(f"forward on {where}: {rows} rows, main thread: {on_main_thread}")
print("output:", tuple(outputs.shape), "on", outputs.device)  # (6)!
print("state_dict keys:", list(dp_model.state_dict()))  # (7)!
