import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # (1)!
print("device:", device)

if device.type == "cuda":
    print("GPUs visible:", torch.cuda.device_count())
    print("GPU 0:", torch.cuda.get_device_name(0))

accelerator = torch.accelerator.current_accelerator(check_available=True)  # (2)!
print("accelerator:", accelerator)

built_for = torch.accelerator.current_accelerator()  # (3)!
print("built for:", built_for)
