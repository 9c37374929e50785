import copy
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


num_classes = 10
centers = torch.randn(num_classes, 32) * 0.5


def make_split(n):
    labels = torch.randint(num_classes, (n,))
    return centers[labels] + torch.randn(n, 32), labels


train_x, train_y = make_split(2000)
test_x, test_y = make_split(1000)


def mlp(hidden):
    return nn.Sequential(nn.Linear(32, hidden), nn.ReLU(), nn.Linear(hidden, num_classes))


def fit(model, loss_fn, n, epochs):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        for i in range(0, n, 100):
            x, y = train_x[i : i + 100], train_y[i : i + 100]
            loss = loss_fn(model(x), x, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


def labels_loss(student_logits, x, y):
    return F.cross_entropy(student_logits, y)


def kd_loss(student_logits, x, y):
    with torch.no_grad():
        teacher_logits = teacher(x)  # (5)!
    return distillation_loss(student_logits, teacher_logits, y)


teacher = fit(mlp(128), labels_loss, n=2000, epochs=10).requires_grad_(False)  # (6)!
student = mlp(32)
labels_only = fit(copy.deepcopy(student), labels_loss, n=200, epochs=30)  # (7)!
distilled = fit(copy.deepcopy(student), kd_loss, n=200, epochs=30)

for name, model in [("teacher", teacher), ("labels only", labels_only), ("distilled", distilled)]:
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    with torch.inference_mode():
        accuracy = (model(test_x).argmax(dim=1) == test_y).float().mean().item()
    print(f"{name + ':':12} {buffer.getbuffer().nbytes:6,} bytes, test accuracy {accuracy:.3f}")
