"""``scrub_many`` (column-wise pre-check, then Python on the few texts that need it) equals ``scrub``."""

from __future__ import annotations

import random

from textprofile.ingest.pii import may_hold_pii, scrub, scrub_many

PII = [
    "call me 13800138000 or +86 138 0013 8000", "mail a.b@example.com now", "see https://x.com/a?b=1",
    "加微信 abc_12345 谢谢", "QQ: 123456789", "wxid_abcdef123", "支付宝账号 13800138000", "身份证 110101199003074514",
    "卡号 6222 0200 0000 0000 000", "tel (415) 555-2671", "010-12345678", "地址：北京市朝阳区建国路88号",
    "住在幸福小区3栋2单元", "12 Baker Street, Apt 4", "车牌 京A12345", "邮编 100000", "zip 94107", "t.me/someone",
    "wa.me/8613800138000", "whatsapp: +86 138 0013 8000", "LINE ID: abc123", "telegram: @someone1",
    "ＱＱ１２３４５６７８９", "İnstagram wxİd_abc", "\u212a", "wechat support is slow",
]


def test_scrub_many_equals_scrub():
    rng = random.Random(0)
    alphabet = "0123456789 -.()@:：wxidQq微信地址路号http/wwwabcXYZ中文，。\u0660\u0661\u0662\uff11"
    noise = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    texts = PII + noise + [None, "", "普通的评论，没有个人信息", 12] + [p.upper() for p in PII]
    assert scrub_many(texts) == [scrub(t) if isinstance(t, str) else t for t in texts]
    assert sum(scrub(p) != p for p in PII) >= 20


def test_pre_check_skips_plain_text():
    texts = ["这个很好用", "great product", "买了3个", "wechat"]
    assert may_hold_pii(texts) == [3]
