"""Contact handles (WeChat, QQ, Alipay, messengers, postcodes, addresses, plates) are scrubbed;
ordinary numbers (prices, quantities, dates, sizes, model numbers) are not."""

from __future__ import annotations

import pytest
from pii_corpus import contact_lines, ordinary_lines

from textprofile.ingest.clean import clean_text
from textprofile.ingest.pii import PLACEHOLDERS, scrub


def test_two_hundred_contact_lines_leave_no_handle():
    lines = contact_lines(240)
    assert len(lines) >= 200
    leaked = []
    for line, needles in lines:
        out = scrub(clean_text(line))
        leaked += [(line, out) for n in needles if n in out]
        assert any(p in out for p in PLACEHOLDERS), (line, out)
    assert leaked == []


def test_two_hundred_ordinary_number_lines_survive_unchanged():
    lines = ordinary_lines(220)
    assert len(lines) >= 200
    eaten = [(line, scrub(clean_text(line))) for line in lines if scrub(clean_text(line)) != clean_text(line)]
    assert eaten == []


@pytest.mark.parametrize("raw,expected", [
    ("微信号 wxid_abc123 QQ 123456789", "微信号 <WECHAT> QQ <QQ>"),
    ("加微信:zhang_san88 谢谢", "加微信:<WECHAT> 谢谢"),
    ("my WeChat ID: happycat", "my WeChat ID: <WECHAT>"),
    ("QQ:987654321。", "QQ:<QQ>。"),
    ("支付宝 13800138000", "支付宝 <ALIPAY>"),
    ("邮编 100020", "邮编 <POSTCODE>"),
    ("地址:北京市朝阳区建国路88号,电话", "地址:<ADDRESS>,电话"),
    ("京A12345 停在门口", "<PLATE> 停在门口"),
    ("车牌新A12345", "车牌<PLATE>"),
    ("telegram @john_doe99", "telegram <TELEGRAM>"),
    ("WhatsApp +44 7911 123456", "WhatsApp <WHATSAPP>"),
    ("LINE ID: abc_123", "LINE ID: <LINE>"),
    ("I live at 221 Baker Street, London", "I live at <ADDRESS>, London"),
    # JSON text of unmapped columns: quotes and backslashes are never consumed
    ('{"微信":"abc12345","地址":"北京市朝阳区建国路88号"}', '{"微信":"<WECHAT>","地址":"<ADDRESS>"}'),
    # not handles: words after a Latin keyword, payments, products, quantities
    ("wechat support was great", None), ("用微信支付了128元", None), ("QQ音乐会员12个月", None),
    ("地址不对", None), ("新RTX4090显卡", None), ("支付宝付款 2000 元", None), ("line 12 of the manual", None),
])
def test_scrub_contacts(raw, expected):
    assert scrub(raw) == (raw if expected is None else expected)


def test_every_placeholder_is_dropped_before_tokenizing():
    from textprofile.core.config import TokenizeConfig
    from textprofile.text.social import PLACEHOLDERS as DROPPED
    from textprofile.text.tokenizer import Tokenizer

    assert set(DROPPED) == set(PLACEHOLDERS)
    tok = Tokenizer(TokenizeConfig())
    _lang, tokens = tok.tokenize("battery " + " ".join(PLACEHOLDERS) + " 面霜")
    assert tokens == ["battery", "面霜"], tokens
    # placeholders never reach the vocabulary as words either (wechat, qq, plate ...)
    assert not {p.strip("<>").lower() for p in PLACEHOLDERS} & set(tokens)


def test_keep_pii_keeps_handles(tmp_path, workspace):
    from textprofile.core.config import LoadConfig
    from textprofile.pipeline.load import load

    export = tmp_path / "e.csv"
    export.write_text("user_id,text\nu1,微信号 wxid_keep123 QQ 123456789 地址:北京市朝阳区建国路88号\n", encoding="utf-8")
    load([export], "k", LoadConfig(keep_pii=True), workspace, tokenize_config=None)
    import pyarrow.parquet as pq

    text = pq.read_table(workspace.corpus_dir("k") / "comments.parquet").column("text")[0].as_py()
    assert text == "微信号 wxid_keep123 QQ 123456789 地址:北京市朝阳区建国路88号"
