import io

import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)


def distillation_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.7):
    soft = F.kl_div(
        F.log_softmax(student_logits / T, dim=1),  # (1)!
        F.softmax(teacher_logits / T, dim=1),
        reduction="batchmean",  # (2)!
    )
    hard = F.cross_entropy(student_logits, labels)  # (3)!
    return alpha * soft * T**2 + (1 - alpha) * hard  # (4)!


s = torch.tensor([[2.0, 0.0, -1.0], [0.5, 1.5, 0.0]])
t = torch.tensor([[3.0, 1.0, -2.0], [0.0, 2.0, 1.0]])
p, log_q = F.softmax(t / 4, dim=1), F.log_softmax(s / 4, dim=1)
by_hand = (p * (p.log() - log_q)).sum(dim=1).mean()  # (5)!
by_kl_div = F.kl_div(log_q, p, reduction="batchmean")
print(f"KL by hand {by_hand.item():.6f}, F.kl_div batchmean {by_kl_div.item():.6f}")

num_classes = 10
centers = torch.randn(num_classes, 32) * 0.5
train_y = torch.randint(num_classes, (1000,))
train_x = centers[train_y] + torch.randn(1000, 32)
test_y = torch.randint(num_classes, (1000,))
test_x = centers[test_y] + torch.randn(1000, 32)


def mlp(hidden):
    return nn.Sequential(nn.Linear(32, hidden), nn.ReLU(), nn.Linear(hidden, num_classes))


def fit(model, loss_fn, epochs=10):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        for i in range(0, len(train_x), 100):
            x, y = train_x[i : i + 100], train_y[i : i + 100]
            loss = loss_fn(model(x), x, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


teacher = fit(mlp(128), lambda out, x, y: F.cross_entropy(out, y))
teacher.requires_grad_(False)  # (6)!


def kd_loss(student_logits, x, y):
    with torch.no_grad():
        teacher_logits = teacher(x)  # (7)!
    return distillation_loss(student_logits, teacher_logits, y)


student = fit(mlp(8), kd_loss)  # (8)!

for name, model in [("teacher", teacher), ("student", student)]:
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    with torch.inference_mode():
        accuracy = (model(test_x).argmax(dim=1) == test_y).float().mean().item()
    print(f"{name}: {buffer.getbuffer().nbytes:6,} bytes, test accuracy {accuracy:.3f}")
