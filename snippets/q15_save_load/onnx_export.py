import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

torch.manual_seed(0)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))

    def forward(self, x):
        return self.net(x)


model = Classifier()
model(torch.randn(32, 4))
model.eval()  # (1)!

batch = torch.export.Dim("batch")
torch.onnx.export(  # (2)!
    model,
    (torch.randn(2, 4),),
    "classifier.onnx",
    input_names=["features"],
    output_names=["logits"],
    dynamic_shapes={"x": {0: batch}},  # (3)!
    external_data=False,  # (4)!
    verbose=False,  # (5)!
)
onnx.checker.check_model(onnx.load("classifier.onnx"))

session = ort.InferenceSession("classifier.onnx", providers=["CPUExecutionProvider"])  # (6)!
for node in session.get_inputs() + session.get_outputs():
    print(f"{node.name}: {node.shape}")

inputs = torch.randn(5, 4)  # (7)!
(onnx_logits,) = session.run(None, {"features": inputs.numpy()})
with torch.no_grad():
    torch_logits = model(inputs).numpy()
np.testing.assert_allclose(onnx_logits, torch_logits, rtol=1e-5, atol=1e-6)  # (8)!
print("onnxruntime matches PyTorch on a batch of", len(inputs))
