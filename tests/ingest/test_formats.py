"""Reading every supported format and encoding, and every kind of bad input the issue lists."""

from __future__ import annotations

import csv
import gzip
import json

import pytest
from typer.testing import CliRunner

from textprofile.cli.app import app
from textprofile.core.config import LoadConfig
from textprofile.core.errors import ColumnError, EncodingError, InputFileError
from textprofile.pipeline.load import load

ROWS = [
    {"user_id": "00123", "review": "电池续航很好 battery lasts", "date": "2024-03-05 10:00"},
    {"user_id": "00124", "review": "快递太慢了", "date": "2024/03/06"},
    {"user_id": "00125", "review": "Runs one size small", "date": "1709719200"},
]


def _csv(rows, sep=","):
    head = sep.join(rows[0])
    return head + "\n" + "\n".join(sep.join(r.values()) for r in rows) + "\n"


def _load(ws, paths, **cfg):
    return load([str(p) for p in paths], "c", LoadConfig(**cfg), ws, tokenize_config=None)


def _comments(ws):
    import pandas as pd

    return pd.read_parquet(ws.corpus_dir("c") / "comments.parquet")


def _check_three(ws, result, fmt):
    assert result["counts"] == {"read": 3, "kept": 3, "duplicates": 0, "quarantined": 0,
                                "quarantined_by_reason": {}}
    df = _comments(ws)
    assert list(df["customer_id"]) == ["00123", "00124", "00125"]
    assert df["text"].iloc[0] == "电池续航很好 battery lasts"
    assert [t.isoformat() for t in df["time"]] == [
        "2024-03-05T10:00:00+00:00", "2024-03-06T00:00:00+00:00", "2024-03-06T10:00:00+00:00"]
    assert list(df["source_row"]) == [1, 2, 3]
    assert result["sources"][0]["format"] == fmt
    assert result["sources"][0]["mapping"] == {"customer_id": "user_id", "text": "review", "time": "date"}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "csv.gz", "jsonl.gz"])
def test_text_formats(tmp_path, workspace, fmt):
    base = fmt.removesuffix(".gz")
    body = {
        "csv": _csv(ROWS), "tsv": _csv(ROWS, "\t"),
        "json": json.dumps(ROWS, ensure_ascii=False),
        "jsonl": "\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n",
    }[base].encode("utf-8")
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(gzip.compress(body, mtime=0) if fmt.endswith(".gz") else body)
    _check_three(workspace, _load(workspace, [path]), fmt)


def test_xlsx_and_parquet(tmp_path, workspace):
    import openpyxl
    import pandas as pd

    wb = openpyxl.Workbook()
    ws_ = wb.active
    ws_.append(list(ROWS[0]))
    for r in ROWS:
        ws_.append(list(r.values()))
    wb.save(tmp_path / "e.xlsx")
    _check_three(workspace, _load(workspace, [tmp_path / "e.xlsx"]), "xlsx")
    pd.DataFrame(ROWS).to_parquet(tmp_path / "e.parquet")
    _check_three(workspace, _load(workspace, [tmp_path / "e.parquet"]), "parquet")


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("gbk", "gb18030"), ("utf-16", "utf-16"),
])
def test_encodings_detected(tmp_path, workspace, encoding, expected):
    path = tmp_path / "e.csv"
    path.write_bytes(_csv(ROWS).encode(encoding))
    result = _load(workspace, [path])
    assert result["sources"][0]["encoding"] == expected
    _check_three(workspace, result, "csv")


def test_several_files_one_call_and_format_override(tmp_path, workspace):
    a, b = tmp_path / "a.txt", tmp_path / "b.data"
    a.write_text(_csv(ROWS[:1]), encoding="utf-8")
    b.write_text("\n".join(json.dumps(r) for r in ROWS[1:]), encoding="utf-8")
    result = load([str(a), str(b)], "c", LoadConfig(), workspace, tokenize_config=None)
    assert [s["format"] for s in result["sources"]] == ["csv", "jsonl"]
    assert result["counts"]["kept"] == 3
    with pytest.raises(InputFileError):  # forcing the wrong format fails cleanly
        _load(workspace, [b], format="xlsx")


def test_numeric_looking_ids_keep_leading_zeros(tmp_path, workspace):
    (tmp_path / "e.jsonl").write_text('{"user_id": 123, "text": "a"}\n{"user_id": "00123", "text": "b"}\n')
    _load(workspace, [tmp_path / "e.jsonl"])
    assert list(_comments(workspace)["customer_id"]) == ["123", "00123"]


# --- bad input: each ends in one clear line (exit 1) or quarantined rows with a correct count ---

def _cli(*args):
    r = CliRunner().invoke(app, ["load", *map(str, args), "--name", "c", "--no-tokenize"])
    return r.exit_code, r.stderr


def test_missing_file_and_directory(tmp_path, workspace):
    code, err = _cli(tmp_path / "nope.csv")
    assert code == 1 and "file not found" in err and "Traceback" not in err
    code, err = _cli(tmp_path)
    assert code == 1 and "is a directory" in err


def test_empty_and_header_only(tmp_path, workspace):
    (tmp_path / "empty.csv").write_bytes(b"")
    code, err = _cli(tmp_path / "empty.csv")
    assert code == 1 and "is empty" in err
    (tmp_path / "head.csv").write_text("user_id,text\n")
    code, err = _cli(tmp_path / "head.csv")
    assert code == 1 and "no data rows" in err and len(err.strip().splitlines()) == 1


def test_binary_file(tmp_path, workspace):
    (tmp_path / "x.csv").write_bytes(bytes(range(256)) * 40)
    code, err = _cli(tmp_path / "x.csv")
    assert code == 1 and "binary" in err


def test_wrong_encoding_names_file_and_offset(tmp_path, workspace):
    path = tmp_path / "gbk.csv"
    data = _csv(ROWS).encode("gb18030")
    path.write_bytes(data)
    with pytest.raises(EncodingError) as e:
        _load(workspace, [path], encoding="utf-8")
    first_bad = next(i for i in range(len(data)) if data[i] >= 0x80)
    assert str(path) in str(e.value) and f"byte offset {first_bad}" in str(e.value)
    # latin-1 bytes that are neither UTF-8 nor GB18030 (0x80 and 0xff are invalid lead bytes)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"user_id,text\n1,caf\xff\x80\n")
    code, err = _cli(bad)
    assert code == 1 and "byte offset 18" in err and "--encoding" in err


def test_ragged_csv_rows_are_quarantined(tmp_path, workspace):
    path = tmp_path / "r.csv"
    path.write_text('user_id,text,date\n1,ok,2024-01-01\n2,too,many,fields\n3\n4,"multi\nline",2024-01-02\n5,fine,\n')
    result = _load(workspace, [path])
    assert result["counts"]["read"] == 5 and result["counts"]["quarantined"] == 2
    assert result["counts"]["quarantined_by_reason"] == {"malformed line": 2}
    assert list(_comments(workspace)["source_row"]) == [1, 4, 5]
    with open(workspace.corpus_dir("c") / "quarantine.csv", encoding="utf-8", newline="") as f:
        q = list(csv.reader(f))
    assert q[0] == ["file", "row", "reason", "text", "customer_id"]
    assert q[1] == ["r.csv", "2", "malformed line: expected 3 fields, got 4", "2,too,many,fields", ""]
    assert q[2] == ["r.csv", "3", "malformed line: expected 3 fields, got 1", "3", ""]


def test_bare_carriage_return_inside_field_keeps_record_whole(tmp_path, workspace):
    path = tmp_path / "t.csv"
    path.write_bytes(b"user_id,text\n1,first part\r\rsecond part\n2,next\n")
    result = _load(workspace, [path])
    assert result["counts"]["kept"] == 2 and result["counts"]["quarantined"] == 0
    assert _comments(workspace)["text"].iloc[0] == "first part second part"


def test_json_not_records(tmp_path, workspace):
    (tmp_path / "obj.json").write_text('{"a": {"x": 1}, "b": {"x": 2}}')
    code, err = _cli(tmp_path / "obj.json")
    assert code == 1 and "not an array of records" in err
    (tmp_path / "nums.json").write_text("[1, 2, 3]")
    code, err = _cli(tmp_path / "nums.json")
    assert code == 1 and "not an array of records" in err


def test_bad_json_lines_quarantined(tmp_path, workspace):
    (tmp_path / "e.jsonl").write_text('{"user_id": "1", "text": "a"}\n{broken\n[1]\n\n{"user_id": "2", "text": "b"}\n')
    result = _load(workspace, [tmp_path / "e.jsonl"])
    assert result["counts"]["read"] == 4 and result["counts"]["kept"] == 2
    assert result["counts"]["quarantined_by_reason"] == {"JSON line is not an object": 1, "malformed JSON line": 1}
    assert list(_comments(workspace)["source_row"]) == [1, 5]


def test_five_megabyte_comment_is_quarantined_not_fatal(tmp_path, workspace):
    path = tmp_path / "big.csv"
    path.write_text("user_id,text\n1,short\n2," + "长" * (5 * 1024 * 1024 // 3) + "x" * 2 + "\n3,after\n",
                    encoding="utf-8")
    assert path.stat().st_size > 5_000_000
    result = _load(workspace, [path])
    assert result["counts"]["kept"] == 2 and result["counts"]["quarantined"] == 1
    assert list(result["counts"]["quarantined_by_reason"]) == ["text too long"]
    # and with a higher limit it is kept whole
    result = _load(workspace, [path], max_text_chars=10_000_000)
    assert result["counts"]["kept"] == 3 and len(_comments(workspace)["text"].iloc[1]) > 1_700_000


def test_spreadsheet_with_several_sheets(tmp_path, workspace):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    wb.active.append(["nothing here"])
    data = wb.create_sheet("comments")
    data.append(["客户编号", "评论内容", "评论时间"])
    data.append(["00123", "很好", "2024年3月5日"])
    data.append([42, "不错", 1709719200])
    wb.save(tmp_path / "book.xlsx")
    code, err = _cli(tmp_path / "book.xlsx")
    assert code == 1 and "2 sheets (notes, comments)" in err and "--sheet" in err
    code, err = _cli(tmp_path / "book.xlsx", "--sheet", "nope")
    assert code == 1 and "no sheet 'nope'" in err
    result = _load(workspace, [tmp_path / "book.xlsx"], sheet="comments")
    assert result["sources"][0]["mapping"] == {"customer_id": "客户编号", "text": "评论内容", "time": "评论时间"}
    df = _comments(workspace)
    assert list(df["customer_id"]) == ["00123", "42"]
    assert df["time"].iloc[0].isoformat() == "2024-03-05T00:00:00+00:00"


def test_missing_required_column_lists_columns_and_flag(tmp_path, workspace):
    (tmp_path / "e.csv").write_text("who,what\n1,hi\n")
    with pytest.raises(ColumnError) as e:
        _load(workspace, [tmp_path / "e.csv"])
    assert "columns are: who, what" in str(e.value) and "--text-col" in str(e.value)
    code, err = _cli(tmp_path / "e.csv", "--text-col", "what")
    assert code == 1 and "--customer-col" in err and "--row-as-customer" in err
    code, err = _cli(tmp_path / "e.csv", "--text-col", "what", "--customer-col", "who")
    assert code == 0, err


def test_legacy_xls_and_corrupt_gzip(tmp_path, workspace):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    code, err = _cli(tmp_path / "old.xls")
    assert code == 1 and ".xlsx" in err
    (tmp_path / "t.csv.gz").write_bytes(gzip.compress(b"user_id,text\n1,a\n" * 100)[:40])
    code, err = _cli(tmp_path / "t.csv.gz")
    assert code == 1 and "gzip" in err


def test_crlf_line_endings_and_utf16_crlf(tmp_path, workspace):
    body = _csv(ROWS).replace("\n", "\r\n")
    (tmp_path / "w.csv").write_bytes(body.encode("utf-8"))
    _check_three(workspace, _load(workspace, [tmp_path / "w.csv"]), "csv")
    (tmp_path / "u.csv").write_bytes(body.encode("utf-16"))  # Excel's "Unicode text" has a BOM
    _check_three(workspace, _load(workspace, [tmp_path / "u.csv"]), "csv")


def test_utf16_without_bom_needs_explicit_encoding(tmp_path, workspace):
    path = tmp_path / "u.csv"
    path.write_bytes(_csv(ROWS).encode("utf-16-le"))
    code, err = _cli(path)
    assert code == 1 and "--encoding utf-16-le" in err
    result = _load(workspace, [path], encoding="utf-16-le")
    assert result["sources"][0]["encoding"] == "utf-16-le"
    _check_three(workspace, result, "csv")


def test_typed_columns_in_parquet_and_xlsx(tmp_path, workspace):
    import datetime as dt

    import openpyxl
    import pandas as pd

    frame = pd.DataFrame({
        "user_id": pd.Series([123, 456], dtype="int64"),
        "text": ["a", "b"],
        "created_at": pd.to_datetime(["2024-03-05 10:00:00", "2024-03-06 11:30:15"]).tz_localize("Asia/Shanghai"),
        "rating": [4.0, None],
        "flag": [True, False],
    })
    frame.to_parquet(tmp_path / "t.parquet")
    r = _load(workspace, [tmp_path / "t.parquet"])
    df = _comments(workspace)
    assert r["sources"][0]["mapping"] == {"customer_id": "user_id", "text": "text", "time": "created_at",
                                          "rating": "rating"}
    assert list(df["customer_id"]) == ["123", "456"]
    assert [t.isoformat() for t in df["time"]] == ["2024-03-05T02:00:00+00:00", "2024-03-06T03:30:15+00:00"]
    assert df["rating"].iloc[0] == 4.0 and pd.isna(df["rating"].iloc[1])
    assert json.loads(df["meta"].iloc[0]) == {"flag": "True"}

    wb = openpyxl.Workbook()
    wb.active.append(["用户ID", "评论内容", "时间", "金额"])
    wb.active.append([123.0, "好", dt.datetime(2024, 3, 5, 10, 0), 99.5])
    wb.active.append(["00124", "差", dt.date(2024, 3, 6), "¥1,299"])
    wb.save(tmp_path / "t.xlsx")
    _load(workspace, [tmp_path / "t.xlsx"])
    df = _comments(workspace)
    assert list(df["customer_id"]) == ["123", "00124"]
    assert [t.isoformat() for t in df["time"]] == ["2024-03-05T10:00:00+00:00", "2024-03-06T00:00:00+00:00"]
    assert list(df["amount"]) == [99.5, 1299.0]
