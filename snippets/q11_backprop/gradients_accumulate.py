import torch

w = torch.tensor(1.0, requires_grad=True)

for _ in range(3):
    loss = 3 * w
    loss.backward()
    print("w.grad after backward:", w.grad.item())  # (1)!

optimizer = torch.optim.SGD([w], lr=0.1)
optimizer.zero_grad()  # (2)!
print("w.grad after zero_grad:", w.grad)

y = w * w
y.backward(retain_graph=True)  # (3)!
y.backward()
print("w.grad after two backward calls on one graph:", w.grad.item())

try:
    y.backward()  # (4)!
except RuntimeError as error:
    print("third call:", str(error).split(".")[0])

optimizer.zero_grad()
s = w + w  # (5)!
s.backward()
s.backward()
print("w + w, two backward calls without retain_graph:", w.grad.item())
