import io
import warnings

import torch
from torch import nn

torch.manual_seed(0)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(32, 64, 3, padding=1)
        self.lstm = nn.LSTM(64, 256, batch_first=True)
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        h = torch.relu(self.conv(x)).transpose(1, 2)
        out, _ = self.lstm(h)
        return self.fc(out[:, -1])


def saved_size(model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getbuffer().nbytes


model = Tagger().eval()
with warnings.catch_warnings(record=True) as caught:  # (1)!
    warnings.simplefilter("always")
    quantized = torch.ao.quantization.quantize_dynamic(
        model,
        {nn.Conv1d, nn.LSTM, nn.Linear},  # (2)!
        dtype=torch.qint8,
    )
deprecations = dict.fromkeys(
    (w.category.__name__, str(w.message).split(". ")[0])
    for w in caught
    if issubclass(w.category, (DeprecationWarning, FutureWarning))  # (3)!
)
for category, first_sentence in deprecations:
    print(f"{category}: {first_sentence}")

for name, module in quantized.named_children():
    print(f"{name}: {type(module).__module__}.{type(module).__name__}")  # (4)!

x = torch.randn(8, 32, 20)
with torch.inference_mode():
    error = ((quantized(x) - model(x)).abs().max() / model(x).abs().max()).item()
print(f"fp32 {saved_size(model):,} bytes -> {saved_size(quantized):,} bytes, max error {error:.1%}")
