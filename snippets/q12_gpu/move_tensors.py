import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

x = torch.tensor([1, 2, 3])
x_dev = x.to(device)  # (1)!
print("x:", x.device, "| x_dev:", x_dev.device, "| same object:", x_dev is x)

y = torch.ones(3, device=device)  # (2)!
z = x_dev * y
print("z:", z, "on", z.device)

back = z.cpu()  # (3)!
print("back on the CPU:", back.numpy(), back.tolist())
print("a Python number:", z.sum().item())  # (4)!

model = torch.nn.Linear(3, 1)
returned = model.to(device)  # (5)!
print("module moved in place:", returned is model, next(model.parameters()).device)
