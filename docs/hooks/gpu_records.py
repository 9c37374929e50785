"""What a GPU record must be: the GPU line of the tested-with stamp, and the GPU speed data.

Both are written by one command on a machine with CUDA, `python3 .ci/gpu.py`, and never by hand:

- docs/tested-with.json, per question, a "cuda" record: the environment it ran on (date, GPU,
  CUDA, torch, torchvision, Python), the run it came from, the gpu test modules of the question
  that all ran and passed, the `.cuda.out` recordings they wrote with a SHA-256 of each, and a
  digest over all of that. A record is consistent when it covers every gpu test module that
  snippets/snippets.toml declares for the question, every printing gpu snippet has its
  `.cuda.out`, the recordings on disk are exactly the ones listed with the same content, and the
  digest matches (a hand edit of a version or a device breaks it).
- docs/gpu-speed.json, per snippet declared with gpu_speed: the timings measured in the same run.

tests/tested_with.py writes the stamp with stamp_record(); the tests check every record with
problems() and speed_problems(); the build hooks show no record that fails them (a warning,
which fails the strict build). Standard library only: the docs build imports it.
"""

import hashlib
import json
from pathlib import Path

STAMPS = Path("docs") / "tested-with.json"
SPEED = Path("docs") / "gpu-speed.json"
ENVIRONMENT = ("date", "run", "device", "cuda", "torch", "torchvision", "python")
MACHINE = ENVIRONMENT[1:]  # what a stamp and the timings of one run share (not the date)
SPEED_KEYS = (*ENVIRONMENT, "runs", "warmup", "source", "rows")
RECORD_COMMAND = "python3 .ci/gpu.py"


def load_json(path):
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def digest(record):
    """A checksum over a record's content, so that a record edited by hand no longer matches."""
    body = {key: value for key, value in record.items() if key != "digest"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def gpu_snippets(question, declared):
    """The declared gpu snippets of a question ("q12_gpu"), in file order."""
    return [
        needs
        for include, needs in sorted(declared.items())
        if include.startswith(f"{question}/") and needs.gpu
    ]


def cuda_output(needs, root):
    return Path(root) / "snippets" / Path(needs.include).with_suffix(".cuda.out")


def cuda_outputs(question, declared, root):
    """{"q12_gpu/choose_device.cuda.out": sha256, ...} for the recordings on disk."""
    found = {}
    for needs in gpu_snippets(question, declared):
        path = cuda_output(needs, root)
        if path.exists():
            found[path.relative_to(Path(root) / "snippets").as_posix()] = sha256(path)
    return found


def stamp_record(question, environment, declared, root):
    """The "cuda" record for a question whose gpu tests all ran and passed in this run."""
    record = {key: environment[key] for key in ENVIRONMENT}
    record["tests"] = [needs.test_path.name for needs in gpu_snippets(question, declared)]
    record["outputs"] = cuda_outputs(question, declared, root)
    record["digest"] = digest(record)
    return record


def problems(question, record, declared, root):
    """Why a question's "cuda" record is not what the GPU command writes; [] when consistent."""
    fix = f"re-record on a GPU with `{RECORD_COMMAND}`"
    where = f"{STAMPS.as_posix()}: {question} cuda"
    missing = [key for key in (*ENVIRONMENT, "tests", "outputs", "digest") if key not in record]
    if missing:
        return [f"{where}: lacks {missing}: not written by the GPU command; {fix}"]
    found = []
    if record["digest"] != digest(record):
        found.append(f"{where}: digest does not match its content (edited by hand?); {fix}")
    gpu = gpu_snippets(question, declared)
    expected_tests = [needs.test_path.name for needs in gpu]
    if not gpu:
        found.append(f"{where}: the question declares no gpu snippet in snippets/snippets.toml")
    elif record["tests"] != expected_tests:
        found.append(
            f"{where}: ran {record['tests']} but the question's gpu tests are {expected_tests}; "
            f"a GPU stamp needs all of them; {fix}"
        )
    listed, on_disk = record["outputs"], cuda_outputs(question, declared, root)
    for name in sorted(set(listed) - set(on_disk)):
        found.append(f"{where}: claims snippets/{name}, which does not exist; {fix}")
    for name in sorted(set(on_disk) - set(listed)):
        found.append(f"{where}: snippets/{name} is not the recording this stamp covers; {fix}")
    for name in sorted(set(listed) & set(on_disk)):
        if listed[name] != on_disk[name]:
            found.append(f"{where}: snippets/{name} changed since it was recorded; {fix}")
    for needs in gpu:
        printing = (Path(root) / "snippets" / needs.include).with_suffix(".out").exists()
        if printing and not cuda_output(needs, root).exists():
            name = Path(needs.include).with_suffix(".cuda.out").as_posix()
            found.append(f"{where}: snippets/{name} is missing (it prints on CPU); {fix}")
    return found


def orphan_recordings(stamps, declared, root):
    """`.cuda.out` files that no consistent GPU stamp covers."""
    covered = set()
    for question, record in stamps.items():
        if "cuda" in record and not problems(question, record["cuda"], declared, root):
            covered |= set(record["cuda"]["outputs"])
    snippets = Path(root) / "snippets"
    return sorted(
        path.relative_to(snippets).as_posix()
        for path in snippets.rglob("*.cuda.out")
        if path.relative_to(snippets).as_posix() not in covered
    )


def speed_problems(speed, stamps, declared):
    """Why docs/gpu-speed.json is not what the GPU command writes; [] when consistent."""
    fix = f"re-measure on a GPU with `{RECORD_COMMAND}`"
    found = []
    for include, entry in sorted(speed.items()):
        where = f"{SPEED.as_posix()}: {include}"
        needs = declared.get(include)
        if needs is None or not needs.gpu_speed:
            found.append(f"{where}: snippets/snippets.toml declares no gpu_speed for it")
            continue
        missing = [key for key in SPEED_KEYS if key not in entry]
        if missing or not entry["rows"]:
            found.append(f"{where}: lacks {missing or ['rows']}; {fix}")
            continue
        question = include.split("/")[0]
        stamp = stamps.get(question, {}).get("cuda")
        if needs.gpu and (stamp is None or stamp.get("run") != entry["run"]):
            found.append(
                f"{where}: measured in run {entry['run']}, but the GPU stamp of {question} "
                f"comes from run {stamp and stamp.get('run')}: both come from one run; {fix}"
            )
        elif stamp is not None and any(stamp.get(k) != entry[k] for k in MACHINE):
            found.append(f"{where}: measured on another machine than the GPU stamp; {fix}")
    return found
