import torch
from torch import nn

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


model = make_model().to(device)
model(torch.randn(16, 4, device=device))  # (1)!

state_dict = model.state_dict()  # (2)!
for name, tensor in state_dict.items():
    print(f"{name:22} {tuple(tensor.shape)}")
torch.save(state_dict, "model.pt")

new_model = make_model().to(device)  # (3)!
result = new_model.load_state_dict(torch.load("model.pt", map_location=device))  # (4)!
print(result)

model.eval()  # (5)!
new_model.eval()
inputs = torch.randn(5, 4, device=device)
with torch.no_grad():
    print("same outputs:", torch.equal(model(inputs), new_model(inputs)))
