import json

import torch
from safetensors import safe_open
from safetensors.torch import load_model, save_file, save_model
from torch import nn

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class TinyLM(nn.Module):
    def __init__(self, vocab_size, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.head = nn.Linear(dim, vocab_size, bias=False)
        self.head.weight = self.embed.weight  # (1)!

    def forward(self, ids):
        return self.head(self.embed(ids))


config = {"vocab_size": 10, "dim": 4}
model = TinyLM(**config).to(device)

try:
    save_file(model.state_dict(), "model.safetensors")  # (2)!
except RuntimeError as error:
    print("save_file:", str(error).strip().split(": [")[0])

save_model(model, "model.safetensors", metadata={"config": json.dumps(config)})  # (3)!

with safe_open("model.safetensors", framework="pt") as f:  # (4)!
    print("tensors in the file:", list(f.keys()))
    print("metadata:", dict(sorted(f.metadata().items())))
    config_read = json.loads(f.metadata()["config"])

restored = TinyLM(**config_read).to(device)
missing, unexpected = load_model(restored, "model.safetensors", device=str(device))  # (5)!
print("missing:", missing, "unexpected:", unexpected)
print("still tied:", restored.head.weight is restored.embed.weight)

ids = torch.tensor([[1, 2, 3]], device=device)
with torch.no_grad():
    print("same outputs:", torch.equal(model(ids), restored(ids)))
