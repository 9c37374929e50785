import pickle

import torch
from torch import nn

torch.manual_seed(0)


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x)


model = TinyNet()
torch.save(model, "whole_model.pt")  # (1)!

try:
    torch.load("whole_model.pt")  # (2)!
except pickle.UnpicklingError as error:
    reason = next(line for line in str(error).splitlines() if "Unsupported global" in line)
    print("weights_only=True refuses it:", reason.strip().split(". Please")[0])

needed = sorted(torch.serialization.get_unsafe_globals_in_checkpoint("whole_model.pt"))
print("globals not allowlisted:", needed)

with torch.serialization.safe_globals([TinyNet, nn.Linear]):  # (3)!
    allowed = torch.load("whole_model.pt")
print("allowlisted, weights_only=True gives back:", type(allowed).__name__)

loaded = torch.load("whole_model.pt", weights_only=False)  # (4)!
print("weights_only=False gives back:", type(loaded).__name__)

del TinyNet  # (5)!
try:
    torch.load("whole_model.pt", weights_only=False)
except AttributeError as error:
    print("without the class:", str(error).split(" on ")[0])
