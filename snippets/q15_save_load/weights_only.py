import pickle

import torch


class Payload:  # (1)!
    def __reduce__(self):
        return (print, ("this line was printed by code inside the file",))


torch.save({"weight": torch.ones(2), "extra": Payload()}, "untrusted.pt")

try:
    torch.load("untrusted.pt")  # (2)!
except pickle.UnpicklingError as error:
    reason = next(line for line in str(error).splitlines() if "Unsupported global" in line)
    print("weights_only=True:", reason.strip().split(". Please")[0])

torch.load("untrusted.pt", weights_only=False)  # (3)!

torch.save({"weight": torch.ones(2), "step": 10, "note": "plain data"}, "plain.pt")
print("plain data loads:", torch.load("plain.pt", map_location="cpu"))  # (4)!
