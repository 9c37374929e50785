import h5py
import torch
from torch import nn

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).to(device)


model = make_model()
model(torch.randn(32, 4, device=device))  # (1)!
model.eval()

with h5py.File("model.h5", "w") as f:
    for name, tensor in model.state_dict().items():  # (2)!
        f.create_dataset(name, data=tensor.cpu().numpy())

with h5py.File("model.h5", "r") as f:
    state_dict = {name: torch.from_numpy(f[name][...]) for name in f}  # (3)!
restored = make_model()
print(restored.load_state_dict(state_dict))  # (4)!
restored.eval()

with h5py.File("params_only.h5", "w") as f:  # (5)!
    for name, param in model.named_parameters():
        f.create_dataset(name, data=param.detach().cpu().numpy())

params_only = make_model()
with h5py.File("params_only.h5", "r") as f, torch.no_grad():
    missing = sorted(set(model.state_dict()) - set(f))
    for name, param in params_only.named_parameters():
        param.copy_(torch.from_numpy(f[name][...]))  # (6)!
params_only.eval()

inputs = torch.randn(5, 4, device=device)
with torch.no_grad():
    print("state_dict round trip, same outputs:", torch.equal(model(inputs), restored(inputs)))
    print("parameters only, same outputs:", torch.equal(model(inputs), params_only(inputs)))
print("a parameters-only file lacks:", missing)
