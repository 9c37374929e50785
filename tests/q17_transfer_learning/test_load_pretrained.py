import torch
from q17_transfer_learning.stand_ins import load_stand_in, stage_weights, weights_path
from torchvision.models import ResNet18_Weights


def prepare_workdir(workdir):
    stage_weights(workdir)


def test_weights_come_from_the_torch_hub_cache(snippet):
    # The snippet asked for ResNet18_Weights.DEFAULT and got the file staged where
    # torch.hub caches downloads: no download, and the same tensors.
    assert weights_path(snippet.workdir).exists()
    expected = load_stand_in(snippet.workdir)
    loaded = snippet.namespace["model"].state_dict()
    assert loaded.keys() == expected.keys()
    assert all(torch.equal(loaded[name], expected[name]) for name in expected)


def test_default_weights_and_their_file(snippet):
    ns = snippet.namespace
    assert ns["weights"] is ResNet18_Weights.IMAGENET1K_V1
    lines = snippet.stdout.splitlines()
    assert lines[0] == "weights: ResNet18_Weights.IMAGENET1K_V1"
    assert lines[1] == f"file: {weights_path(snippet.workdir).name}"
    assert lines[2] == "ImageNet classes: 1000"


def test_preprocess_resizes_crops_and_normalises(snippet):
    ns = snippet.namespace
    preprocess, batch = ns["preprocess"], ns["batch"]
    assert preprocess.resize_size == [256]
    assert preprocess.crop_size == [224]
    assert batch.shape == (1, 3, 224, 224)
    assert batch.dtype == torch.float32
    # Normalised with the ImageNet mean and std: values leave [0, 1] on both sides.
    assert batch.min() < 0 < 1 < batch.max()


def test_model_is_in_eval_mode_with_an_imagenet_head(snippet):
    ns = snippet.namespace
    assert not ns["model"].training
    assert ns["logits"].shape == (1, 1000)
    fc = ns["model"].fc
    assert (fc.in_features, fc.out_features) == (512, 1000)
    assert snippet.stdout.splitlines()[-1] == (
        "classifier: Linear(in_features=512, out_features=1000, bias=True)"
    )
