import torch
from torch import nn

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
amp_dtype = torch.float16 if device.type == "cuda" else torch.bfloat16  # (1)!

model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1)).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
scaler = torch.amp.GradScaler(device.type, enabled=amp_dtype == torch.float16)  # (2)!
inputs = torch.randn(32, 64, device=device)
targets = torch.randn(32, 1, device=device)

for step in range(3):
    with torch.autocast(device_type=device.type, dtype=amp_dtype):  # (3)!
        outputs = model(inputs)
        loss = nn.functional.mse_loss(outputs, targets)

    optimizer.zero_grad()
    scaler.scale(loss).backward()  # (4)!
    scaler.step(optimizer)
    scaler.update()
    print(
        f"step {step}: outputs {outputs.dtype}, loss {loss.dtype}, weights {model[0].weight.dtype}"
    )
