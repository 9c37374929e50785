import re


def test_workers_keep_the_sample_order_and_report_epoch_times(snippet):
    rows = re.findall(r"^num_workers=(\d): in order (\w+), \d+ ms per epoch$", snippet.stdout, re.M)
    assert rows == [("0", "True"), ("2", "True")]
