import math
import re

import pytest
import torch
from q17_transfer_learning.stand_ins import (
    CLASSES,
    IMAGES_PER_CLASS,
    load_stand_in,
    stage_image_folder,
    stage_weights,
)
from torchvision.models import resnet18
from torchvision.transforms import v2

EPOCH_LINE = re.compile(
    r"^(head|fine-tune) epoch (\d+): train loss (\d+\.\d{3}), val accuracy (\d+)/(\d+)$"
)


def prepare_workdir(workdir):
    stage_weights(workdir)
    stage_image_folder(workdir)


def part(name):
    return name.split(".")[0]


def cpu_state(model):
    return {name: t.detach().cpu() for name, t in model.state_dict().items()}


def test_image_folder_labels_come_from_folder_names(snippet, monkeypatch):
    monkeypatch.chdir(snippet.workdir)  # DATA_DIR is relative to where the script ran
    ns = snippet.namespace
    for dataset in (ns["train_set"], ns["val_set"]):
        assert dataset.classes == list(CLASSES)
        assert len(dataset) == IMAGES_PER_CLASS * len(CLASSES)
        for path, target in dataset.samples:
            assert path.endswith(".jpg")
            assert path.split("/")[-2] == dataset.classes[target]
    image, label = ns["val_set"][0]
    assert image.shape == (3, 224, 224)
    assert label == 0
    assert snippet.stdout.splitlines()[:2] == [
        "classes: {'ants': 0, 'bees': 1}",
        "images: 8 train, 8 val",
    ]


def test_training_data_is_augmented_validation_data_is_not(snippet, monkeypatch):
    monkeypatch.chdir(snippet.workdir)
    ns = snippet.namespace
    first = ns["train_set"][0][0]
    assert first.shape == (3, 224, 224)
    torch.manual_seed(1)
    a = ns["train_set"][0][0]
    torch.manual_seed(2)
    b = ns["train_set"][0][0]
    assert not torch.equal(a, b)
    assert torch.equal(ns["val_set"][0][0], ns["val_set"][0][0])


def test_new_head_matches_the_number_of_classes(snippet):
    fc = snippet.namespace["model"].fc
    assert (fc.in_features, fc.out_features) == (512, len(CLASSES))


def test_printed_parameter_counts(snippet):
    model = snippet.namespace["model"]
    total = sum(p.numel() for p in model.parameters())
    head = sum(p.numel() for p in model.fc.parameters())
    layer4 = sum(p.numel() for p in model.layer4.parameters())
    lines = snippet.stdout.splitlines()
    assert f"head only: {head:,} of {total:,} parameters trainable" in lines
    assert f"layer4 + head: {layer4 + head:,} of {total:,} parameters trainable" in lines


def test_head_training_changed_only_the_head(snippet):
    ns = snippet.namespace
    stand_in = load_stand_in(snippet.workdir)
    initial, after_head = ns["initial"], ns["after_head"]
    for name, value in after_head.items():
        if part(name) == "fc":
            assert not torch.equal(value, initial[name]), name
        else:  # parameters and BatchNorm buffers: exactly the loaded weights
            assert torch.equal(value.cpu(), stand_in[name]), name
    assert "changed by head training: ['fc']" in snippet.stdout.splitlines()


def test_fine_tuning_changed_layer4_and_the_head_only(snippet):
    ns = snippet.namespace
    stand_in = load_stand_in(snippet.workdir)
    final = cpu_state(ns["model"])
    for name, value in final.items():
        if part(name) in ("conv1", "bn1", "layer1", "layer2", "layer3"):
            assert torch.equal(value, stand_in[name]), name
    # The unfrozen block moved, including its BatchNorm running statistics.
    for name in ("layer4.0.conv1.weight", "layer4.1.bn2.weight", "layer4.1.bn2.running_mean"):
        assert not torch.equal(final[name], stand_in[name]), name
    assert not torch.equal(final["fc.weight"], ns["after_head"]["fc.weight"].cpu())
    assert snippet.stdout.splitlines()[-1] == "changed by fine-tuning: ['fc', 'layer4']"


def test_frozen_parameters_got_no_gradients(snippet):
    model = snippet.namespace["model"]
    for name, p in model.named_parameters():
        if part(name) in ("layer4", "fc"):
            assert p.requires_grad, name
            assert p.grad is not None, name
        else:
            assert not p.requires_grad, name
            assert p.grad is None, name


def test_fine_tuning_uses_a_smaller_learning_rate_for_layer4(snippet):
    ns = snippet.namespace
    model, groups = ns["model"], ns["optimizer"].param_groups
    assert [g["lr"] for g in groups] == [1e-4, 1e-3]
    assert [id(p) for p in groups[0]["params"]] == [id(p) for p in model.layer4.parameters()]
    assert [id(p) for p in groups[1]["params"]] == [id(p) for p in model.fc.parameters()]


def test_epoch_lines_report_finite_losses_and_the_real_accuracy(snippet, monkeypatch):
    monkeypatch.chdir(snippet.workdir)
    ns = snippet.namespace
    epochs = [m for m in map(EPOCH_LINE.match, snippet.stdout.splitlines()) if m]
    assert [(m[1], int(m[2])) for m in epochs] == [
        ("head", 1),
        ("head", 2),
        ("fine-tune", 1),
    ]
    for m in epochs:
        assert math.isfinite(float(m[3]))
        assert 0 <= int(m[4]) <= int(m[5]) == len(ns["val_set"])
    # Evaluating the final model again gives the accuracy printed last.
    correct, total = ns["evaluate"](ns["model"], ns["val_loader"])
    assert f"{correct}/{total}" == f"{epochs[-1][4]}/{epochs[-1][5]}"


def test_saved_checkpoint_loads_into_a_fresh_model(snippet):
    ns = snippet.namespace
    saved = torch.load(snippet.workdir / "resnet18_hymenoptera.pt", weights_only=True)
    fresh = resnet18(num_classes=len(ns["train_set"].classes))
    fresh.load_state_dict(saved)
    final = cpu_state(ns["model"])
    assert all(torch.equal(t, final[name]) for name, t in cpu_state(fresh).items())


def test_train_mode_keeps_frozen_batchnorm_in_eval(snippet):
    ns = snippet.namespace
    model = ns["model"]
    ns["set_train_mode"](model)
    try:
        assert model.training
        assert model.fc.training
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                assert module.training == name.startswith("layer4"), name
    finally:
        model.eval()


def test_training_pipeline_converts_to_a_uint8_tensor_first(snippet, monkeypatch):
    # The v2 order the torchvision docs recommend: ToImage, geometric transforms on uint8
    # tensors, then ToDtype(float32, scale=True) and Normalize.
    monkeypatch.chdir(snippet.workdir)
    ns = snippet.namespace
    steps = ns["train_transform"].transforms
    assert [type(s).__name__ for s in steps] == [
        "ToImage",
        "RandomResizedCrop",
        "RandomHorizontalFlip",
        "ToDtype",
        "Normalize",
    ]
    path, _ = ns["train_set"].samples[0]
    image = ns["train_set"].loader(path)
    cropped = v2.Compose(steps[:3])(image)
    assert cropped.dtype == torch.uint8
    assert cropped.shape == (3, 224, 224)


def test_random_resized_crop_on_cifar_sized_images_keeps_tiny_crops(snippet):
    # The errata: by default RandomResizedCrop keeps 8% to 100% of the area, so on a 32x32
    # image the smallest crops are about 9 pixels across before being resized to 224x224.
    crop = snippet.namespace["v2"].RandomResizedCrop(224)
    assert crop.scale == (0.08, 1.0)
    assert round(math.sqrt(crop.scale[0] * 32 * 32)) == 9
    image = torch.zeros(3, 32, 32, dtype=torch.uint8)
    torch.manual_seed(0)
    sides = [min(p["height"], p["width"]) for p in (crop.make_params([image]) for _ in range(2000))]
    assert min(sides) <= 9


def test_unfreezing_needs_an_optimizer_that_holds_the_parameters(snippet):
    # Section 5: requires_grad alone changes nothing for an optimizer built without them.
    nn = snippet.namespace["nn"]
    body, head = nn.Linear(3, 3), nn.Linear(3, 1)
    body.requires_grad_(False)
    head_only = torch.optim.SGD(head.parameters(), lr=0.1)
    everything = torch.optim.SGD([*body.parameters(), *head.parameters()], lr=0.1)
    before = body.weight.detach().clone()
    body.requires_grad_(True)
    head(body(torch.randn(4, 3))).sum().backward()
    head_only.step()
    assert torch.equal(body.weight, before)
    everything.step()
    assert not torch.equal(body.weight, before)


@pytest.mark.cuda
def test_cuda_path_ran(snippet):
    ns = snippet.namespace
    assert ns["device"].type == "cuda"
    assert all(p.is_cuda for p in ns["model"].parameters())
