"""update keeps the rows it rejects in quarantine.csv with their reasons, as load does."""

from __future__ import annotations

import csv

from profile_corpus import NAME, copy_workspace, demo_workspace


def _rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_update_appends_its_quarantined_rows_once(tmp_path_factory, tmp_path):
    from textprofile.core.artifacts import checksums, read_manifest
    from textprofile.pipeline.update import update

    ws0, paths = demo_workspace(tmp_path_factory)
    ws = copy_workspace(ws0, tmp_path_factory.mktemp("updq") / "ws")
    with open(paths["new"], encoding="utf-8", newline="") as f:
        header, first, *_ = list(csv.reader(f))
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerow(first)
        w.writerow(["", 'no customer, "quoted"\nand a new line', *first[2:]])
        w.writerow([first[0], "a time that is not one", "not a time", *first[3:]])
    corpus = ws.corpus_dir(NAME)
    before = _rows(corpus / "quarantine.csv")
    result = update(NAME, [bad], ws)
    after = _rows(corpus / "quarantine.csv")
    assert result["quarantined"] == 2
    assert after[: len(before)] == before and len(after) == len(before) + 2
    assert [r[0] for r in after[-2:]] == ["bad.csv", "bad.csv"]
    assert after[-2][3].startswith('no customer, "quoted"') and after[-1][4] == first[0]
    assert "missing customer id" in after[-2][2] and "time" in after[-1][2]
    manifest = read_manifest(corpus)
    assert manifest["files"] == checksums(corpus)  # quarantine.csv checksummed anew
    assert manifest["updates_quarantined"][-1]["quarantined"] == 2
    again = update(NAME, [bad], ws)  # the same export again: counted, not written twice
    assert again["quarantined"] == 2 and _rows(corpus / "quarantine.csv") == after
