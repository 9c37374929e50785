"""Local stand-ins for what the Q17 snippets would download: ResNet-18 weights and an image folder.

The snippets load real data from data/hymenoptera_data/ and real weights through
ResNet18_Weights.DEFAULT. Neither can be downloaded here, so the tests stage:

- a weights file at $TORCH_HOME/hub/checkpoints/<file name from the weights URL>, the exact path
  torch.hub's loader checks before downloading (it verifies the hash only when it downloads);
  the contents are a seeded, randomly initialised resnet18().state_dict(), so accuracy is
  meaningless but every loading step is the reader's;
- a tiny ImageFolder tree, data/hymenoptera_data/{train,val}/{ants,bees}/*.jpg.
"""

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torchvision.models import ResNet18_Weights, resnet18

CLASSES = ("ants", "bees")
IMAGES_PER_CLASS = 4
# Dark "ants", bright yellow "bees", plus noise: trivially separable, so that even random
# stand-in weights give a head that learns something within a few steps.
COLOURS = {"ants": (40, 30, 20), "bees": (240, 200, 40)}
SIZES = ((64, 48), (48, 64), (80, 60), (56, 56))


def weights_path(workdir):
    filename = ResNet18_Weights.DEFAULT.url.rsplit("/", 1)[-1]
    return Path(workdir) / ".torch_home" / "hub" / "checkpoints" / filename


def stage_weights(workdir, seed=17):
    """Save a seeded random resnet18 state_dict where the loader looks for the real one."""
    path = weights_path(workdir)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = torch.random.fork_rng()
    with state:
        torch.manual_seed(seed)
        torch.save(resnet18().state_dict(), path)
    return path


def load_stand_in(workdir):
    return torch.load(weights_path(workdir), weights_only=True)


def stage_image_folder(workdir, seed=17):
    """Write data/hymenoptera_data/{train,val}/{ants,bees}/*.jpg with a few small images."""
    rng = np.random.default_rng(seed)
    root = Path(workdir) / "data" / "hymenoptera_data"
    for split in ("train", "val"):
        for name in CLASSES:
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(IMAGES_PER_CLASS):
                width, height = SIZES[i % len(SIZES)]
                noise = rng.integers(-40, 41, size=(height, width, 3))
                pixels = np.clip(np.array(COLOURS[name]) + noise, 0, 255).astype(np.uint8)
                Image.fromarray(pixels).save(folder / f"{split}_{name}_{i}.jpg", quality=90)
    return root
