import torch

device = torch.device("cuda" if torch.cuda.is_available() else "meta")  # (1)!

model = torch.nn.Linear(3, 1).to(device)
inputs = torch.randn(2, 3)

try:
    model(inputs)  # (2)!
except RuntimeError as error:
    print("RuntimeError:", error)

print("output device:", model(inputs.to(device)).device)  # (3)!

scale = torch.tensor(2.0)  # (4)!
print("times a 0-dim CPU tensor:", (model.weight * scale).device)
