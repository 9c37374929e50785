import torch
from torch import nn

torch.manual_seed(0)


class MLP(nn.Module):
    def __init__(self, in_features, hidden, out_features):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features)
        )

    def forward(self, x):
        return self.net(x)


config = {"in_features": 4, "hidden": 16, "out_features": 3}  # (1)!
model = MLP(**config)

try:
    model.architecture  # (2)!
except AttributeError as error:
    print("AttributeError:", error)

torch.save({"config": config, "state_dict": model.state_dict()}, "mlp.pt")  # (3)!

checkpoint = torch.load("mlp.pt", map_location="cpu")  # (4)!
restored = MLP(**checkpoint["config"])
restored.load_state_dict(checkpoint["state_dict"])
restored.eval()
inputs = torch.randn(2, 4)
with torch.no_grad():
    print("same outputs:", torch.equal(model(inputs), restored(inputs)))

wrong = MLP(in_features=4, hidden=8, out_features=3)  # (5)!
try:
    wrong.load_state_dict(checkpoint["state_dict"])
except RuntimeError as error:
    print("RuntimeError:", str(error).splitlines()[1].strip())
