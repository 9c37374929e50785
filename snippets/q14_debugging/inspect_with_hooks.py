import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
inputs = torch.randn(64, 8)
targets = torch.randn(64, 1)

activations = {}
gradients = {}


def inspect(name):
    def forward_hook(module, args, output):  # (1)!
        activations[name] = output.detach()

        def grad_hook(grad):  # (2)!
            gradients[name] = grad

        output.register_hook(grad_hook)

    return forward_hook


handles = [module.register_forward_hook(inspect(name)) for name, module in model.named_children()]

loss = nn.functional.mse_loss(model(inputs), targets)
loss.backward()
for handle in handles:
    handle.remove()  # (3)!

for name, module in model.named_children():
    output, grad = activations[name], gradients[name]
    line = f"{name} {type(module).__name__:<6} output std {output.std():.3f}"
    line += f", grad norm {grad.norm():.4f}"
    if isinstance(module, nn.ReLU):
        dead = (output == 0).all(dim=0).sum().item()  # (4)!
        line += f", dead units {dead}/{output.shape[1]}"
    print(line)

total_norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)  # (5)!
print(f"parameter gradient norm before clipping: {total_norm:.4f}")
