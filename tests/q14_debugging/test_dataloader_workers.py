import re

ROW = re.compile(r"^num_workers=(\d), epoch (\d): (\d+) ms, in order (\w+)$", re.M)


def test_workers_keep_the_sample_order_and_report_epoch_times(snippet):
    rows = ROW.findall(snippet.stdout)
    assert [(workers, epoch, in_order) for workers, epoch, _, in_order in rows] == [
        ("0", "1", "True"),
        ("0", "2", "True"),
        ("2", "1", "True"),
        ("2", "2", "True"),
    ]


def test_running_workers_load_the_second_epoch_faster(snippet):
    # The page says: in the second epoch the 2 workers, already running, are faster than the main
    # process (typically close to 2x, the best two processes can do when sleeping; down to 1.4x
    # on a loaded machine).
    ms = {(workers, epoch): int(t) for workers, epoch, t, _ in ROW.findall(snippet.stdout)}
    assert ms["0", "2"] > 1.2 * ms["2", "2"]
