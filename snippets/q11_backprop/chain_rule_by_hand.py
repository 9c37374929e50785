import torch

x = torch.tensor(2.0)
w = torch.tensor(3.0, requires_grad=True)  # (1)!
b = torch.tensor(1.0, requires_grad=True)
target = torch.tensor(10.0)

y = w * x + b  # (2)!
loss = (y - target) ** 2

print("loss:", loss.item())
print("graph:", loss.grad_fn.name(), "<-", loss.grad_fn.next_functions[0][0].name())

loss.backward()  # (3)!

dloss_dy = 2 * (y.item() - target.item())  # (4)!
print("w.grad:", w.grad.item(), "by hand:", dloss_dy * x.item())
print("b.grad:", b.grad.item(), "by hand:", dloss_dy * 1.0)
print("x.grad:", x.grad)  # (5)!
