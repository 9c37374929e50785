import torch
from torchvision.models import ResNet18_Weights, resnet18

weights = ResNet18_Weights.DEFAULT  # (1)!
print("weights:", weights)
print("file:", weights.url.rsplit("/", 1)[-1])  # (2)!
print("ImageNet classes:", len(weights.meta["categories"]))

model = resnet18(weights=weights)  # (3)!
model.eval()

preprocess = weights.transforms()  # (4)!
print(preprocess)

image = torch.randint(0, 256, (3, 375, 500), dtype=torch.uint8)  # (5)!
batch = preprocess(image).unsqueeze(0)
with torch.no_grad():
    logits = model(batch)
print("input:", tuple(batch.shape), "-> output:", tuple(logits.shape))
print("classifier:", model.fc)  # (6)!
