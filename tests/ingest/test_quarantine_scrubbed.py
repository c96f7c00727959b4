"""Quarantined rows are PII-scrubbed in quarantine.csv, whatever the reason they were rejected."""

from __future__ import annotations

import csv

from textprofile.core.config import LoadConfig
from textprofile.pipeline.load import load

PII = ["13912345678", "wxid_q7k2m9", "alice.w@example.com", "QQ 87654321", "110101199003071234",
       "建国路88号", "6222021234567890123"]
ROWS = [
    ("u1", "电池不错", "2024-01-01"),
    ("u2", "打不开 电话13912345678 微信 wxid_q7k2m9", "31/31/2024"),  # unparseable time
    ("u3", "mail alice.w@example.com QQ 87654321", "2024-01-02", "narrator"),  # unrecognised role
    ("", "身份证110101199003071234 地址:北京市朝阳区建国路88号", "2024-01-03"),  # missing customer id
]


def _export(tmp_path):
    path = tmp_path / "q.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "text", "date", "role"])
        for r in ROWS:
            w.writerow([*r, "customer"][:4] if len(r) == 3 else r)
        f.write("u5,卡号 6222021234567890123 收不到,2024-01-04,customer,EXTRA\n")  # malformed record
    return path


def _quarantine(workspace, name):
    with open(workspace.corpus_dir(name) / "quarantine.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_quarantine_csv_is_scrubbed(tmp_path, workspace):
    load([_export(tmp_path)], "q", LoadConfig(), workspace, tokenize_config=None)
    rows = _quarantine(workspace, "q")
    reasons = [r["reason"].split(":")[0] for r in rows]
    assert reasons == ["unparseable time", "unrecognised role", "missing customer id", "malformed line"]
    raw = (workspace.corpus_dir("q") / "quarantine.csv").read_text(encoding="utf-8")
    assert [p for p in PII if p in raw] == []
    for placeholder in ("<PHONE>", "<WECHAT>", "<EMAIL>", "<QQ>", "<ID>", "<ADDRESS>", "<CARD>"):
        assert placeholder in raw, placeholder
    assert [r["customer_id"] for r in rows] == ["u2", "u3", "", ""]


def test_keep_pii_keeps_quarantined_text(tmp_path, workspace):
    load([_export(tmp_path)], "k", LoadConfig(keep_pii=True), workspace, tokenize_config=None)
    raw = (workspace.corpus_dir("k") / "quarantine.csv").read_text(encoding="utf-8")
    assert [p for p in PII if p not in raw] == []
