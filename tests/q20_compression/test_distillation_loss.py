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


def _printed(stdout):
    pattern = r"^([\w ]+): +([\d,]+) bytes, test accuracy (\d\.\d{3})$"
    return {
        name: (int(size.replace(",", "")), float(acc))
        for name, size, acc in re.findall(pattern, stdout, re.M)
    }


def test_teacher_is_frozen_and_students_learn(snippet):
    ns = snippet.namespace
    assert not any(p.requires_grad for p in ns["teacher"].parameters())
    for name in ("labels_only", "distilled"):
        assert all(p.requires_grad for p in ns[name].parameters())
    printed = _printed(snippet.stdout)
    assert list(printed) == ["teacher", "labels only", "distilled"]
    for name, (_, accuracy) in printed.items():
        assert accuracy > 0.5, name  # 10 classes: chance is 0.1
    params = [sum(p.numel() for p in ns[n].parameters()) for n in ("teacher", "distilled")]
    assert params[1] * 3 < params[0]
    assert printed["distilled"][0] * 3 < printed["teacher"][0]  # page: under a third


def test_students_differ_only_in_the_loss(snippet):
    ns = snippet.namespace
    init, a, b = ns["student"], ns["labels_only"], ns["distilled"]
    assert a is not init
    assert b is not init
    assert [p.shape for p in a.parameters()] == [p.shape for p in b.parameters()]
    assert not torch.equal(a[0].weight, b[0].weight)


def test_distilled_student_beats_the_labels_only_student(snippet):
    printed = _printed(snippet.stdout)
    teacher, labels_only, distilled = (printed[n][1] for n in printed)
    assert distilled > labels_only + 0.03  # recorded: 0.064 better
    assert teacher > labels_only
