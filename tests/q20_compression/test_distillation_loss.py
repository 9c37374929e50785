import re

import torch
import torch.nn.functional as F


def _random_batch():
    gen = torch.Generator().manual_seed(123)
    student = torch.randn(6, 5, generator=gen, requires_grad=True)
    teacher = torch.randn(6, 5, generator=gen)
    labels = torch.randint(5, (6,), generator=gen)
    return student, teacher, labels


def test_soft_term_is_t_squared_times_the_true_kl(snippet):
    loss_fn = snippet.namespace["distillation_loss"]
    student, teacher, labels = _random_batch()
    T = 3.0
    p = torch.softmax(teacher / T, dim=1)
    q = torch.softmax(student / T, dim=1)
    kl = (p * (p / q).log()).sum(dim=1).mean()
    assert torch.allclose(loss_fn(student, teacher, labels, T=T, alpha=1.0), T**2 * kl)
    hard = F.cross_entropy(student, labels)
    assert torch.allclose(loss_fn(student, teacher, labels, T=T, alpha=0.0), hard)


def test_t_squared_keeps_the_soft_gradient_on_the_scale_of_the_logits(snippet):
    loss_fn = snippet.namespace["distillation_loss"]
    student, teacher, labels = _random_batch()
    for T in (1.0, 4.0):
        (grad,) = torch.autograd.grad(loss_fn(student, teacher, labels, T=T, alpha=1.0), student)
        p = torch.softmax(teacher / T, dim=1)
        q = torch.softmax(student / T, dim=1)
        assert torch.allclose(grad, T * (q - p) / len(student), atol=1e-6)


def test_hand_check_matches(snippet):
    first = snippet.stdout.splitlines()[0]
    by_hand, by_kl_div = re.findall(r"\d+\.\d+", first)
    assert by_hand == by_kl_div


def test_teacher_is_frozen_and_student_learns(snippet):
    ns = snippet.namespace
    assert not any(p.requires_grad for p in ns["teacher"].parameters())
    assert all(p.requires_grad for p in ns["student"].parameters())
    accuracy = dict(re.findall(r"^(\w+): .* test accuracy (\d\.\d+)$", snippet.stdout, re.M))
    assert float(accuracy["student"]) > 0.5  # 10 classes: chance is 0.1
    params = [sum(p.numel() for p in ns[n].parameters()) for n in ("teacher", "student")]
    assert params[1] * 10 < params[0]
    sizes = dict(re.findall(r"^(\w+): +([\d,]+) bytes", snippet.stdout, re.M))
    assert int(sizes["student"].replace(",", "")) * 5 < int(sizes["teacher"].replace(",", ""))
