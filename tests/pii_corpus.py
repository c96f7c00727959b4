"""Written by the privacy tests themselves: contact-detail lines, ordinary-number lines, a leak scan.

``contact_lines(n)`` gives real-looking Chinese and English sentences that carry a contact handle,
each with the needles that must not survive scrubbing (for numbers, the keyword and the number
together, so that a float such as 0.100020 in a chart cannot count as a leak). ``ordinary_lines``
gives sentences full of numbers that are not PII and must come through unchanged.
``leaks(root, needles)`` scans every file under ``root`` — raw bytes, and also the decoded
contents of Parquet, DuckDB, HTML/JSON text — and returns ``{needle: [files]}``.
"""

from __future__ import annotations

import html
import json
import random
import re
import string
import unicodedata
from pathlib import Path

_CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "西安", "重庆"]
_DISTRICTS = ["朝阳", "浦东新", "天河", "南山", "西湖", "武侯", "洪山", "鼓楼", "雁塔", "渝中"]
_ROADS = ["建国", "张江", "中山", "科技", "文三", "人民南", "珞喻", "中央", "长安", "解放"]
_EN_STREETS = ["Maple", "Oak", "Baker", "Elm", "Cedar", "Willow", "Sunset", "Lakeview", "Harbor", "Pine"]
_EN_TYPES = ["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard"]
_PROVINCES = "京沪粤浙苏川鄂陕渝鲁"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def _alnum(rng: random.Random, n: int) -> str:
    first = rng.choice(string.ascii_lowercase)
    rest = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(n - 1))
    # at least one digit: a handle, not a word that could also appear in ordinary text
    return first + rest[:-1] + rng.choice(string.digits)


def _digits(rng: random.Random, n: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(n - 1))


def contact_lines(n: int = 240, seed: int = 0) -> list[tuple[str, list[str]]]:
    """``n`` (line, needles) pairs: every needle must be gone after scrubbing."""
    rng = random.Random(seed)
    out: list[tuple[str, list[str]]] = []

    def wechat():
        h = _alnum(rng, rng.randint(6, 12))
        t = rng.choice(["你好，我的微信号是{h}，方便加一下吗", "加我微信 {h} 详聊", "有问题加vx：{h}",
                        "V信 {h} 发货前联系我", "薇信{h}，看到请回复", "威信: {h}", "add me on WeChat: {h} thanks",
                        "my wechat id is {h}", "微信同号 {h}，谢谢", "客服说加微信 {h} 退款"])
        return t.format(h=h), [h]

    def wxid():
        h = "wxid_" + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(8, 14)))
        t = rng.choice(["微信：{h}", "我的id是{h}，加我", "{h} 这是我微信", "contact wechat {h} pls"])
        return t.format(h=h), [h]

    def qq():
        h = _digits(rng, rng.randint(8, 11))
        kw = rng.choice(["QQ ", "QQ号：", "扣扣 ", "企鹅号 ", "qq:", "QQ群 ", "my QQ is "])
        t = rng.choice(["{kw}{h} 在线", "有事联系{kw}{h}", "{kw}{h}，晚上在", "please reach me {kw}{h}"])
        return t.format(kw=kw, h=h), [kw + h]

    def alipay():
        if rng.random() < 0.5:
            h = "1" + rng.choice("3456789") + _digits(rng, 9)
        else:
            h = _alnum(rng, rng.randint(7, 12))
        t = rng.choice(["退款请打到支付宝 {h}", "支付宝账号：{h}", "支付宝: {h} 谢谢", "refund to my Alipay: {h}"])
        line = t.format(h=h)
        return line, [h]

    def postcode():
        if rng.random() < 0.6:
            h = _digits(rng, 6)
            kw = rng.choice(["邮编 ", "邮编：", "邮政编码 "])
        else:
            h = _digits(rng, 5)
            kw = rng.choice(["zip code ", "ZIP: ", "zip "])
        t = rng.choice(["{kw}{h}，麻烦尽快发货", "寄件信息 {kw}{h}", "shipping {kw}{h} please"])
        return t.format(kw=kw, h=h), [kw + h]

    def address():
        n = rng.randint(10, 999)
        road = f"{rng.choice(_ROADS)}路{n}号"
        full = f"{rng.choice(_CITIES)}市{rng.choice(_DISTRICTS)}区{road}{rng.randint(1, 30)}栋{rng.randint(101, 2505)}室"
        t = rng.choice(["收货地址：{a}，电话联系", "地址: {a}", "我家住址 {a}", "寄到{a}就行", "地址是{a}，别送错了"])
        return t.format(a=full), [road]

    def en_address():
        n = rng.randint(10, 9999)
        street = f"{n} {rng.choice(_EN_STREETS)} {rng.choice(_EN_TYPES)}"
        t = rng.choice(["Shipping address: {s}, Springfield, IL 62704. Thanks", "I live at {s} and it never came",
                        "please deliver to {s}, apt 4", "Address: {s}"])
        return t.format(s=street), [street]

    def plate():
        h = (rng.choice(_PROVINCES) + rng.choice(_PLATE_LETTERS)
             + "".join(rng.choice(_PLATE_LETTERS[:8] + "0123456789") for _ in range(5)))
        t = rng.choice(["车牌 {h} 的车主请挪车", "我的车是{h}，停在门口", "车牌号：{h}", "plate {h} blocked the exit"])
        return t.format(h=h), [h]

    def messenger():
        h = _alnum(rng, rng.randint(6, 12))
        kind = rng.random()
        if kind < 0.3:
            return f"message me on telegram @{h} anytime", [h]
        if kind < 0.5:
            return f"Telegram: {h} for faster reply", [h]
        if kind < 0.65:
            return f"join t.me/{h} for deals", [h]
        if kind < 0.85:
            num = "+44 7" + _digits(rng, 3) + " " + _digits(rng, 6)
            return f"WhatsApp {num} works best", [num]
        return f"LINE ID: {h} 加我", [h]

    kinds = [wechat, wxid, qq, alipay, postcode, address, en_address, plate, messenger]
    for i in range(n):
        line, needles = kinds[i % len(kinds)]()
        # as the loader stores text (NFKC: "：" is ":"), so a leak is found in its stored form
        out.append((line, [unicodedata.normalize("NFKC", x) for x in needles]))
    return out


def ordinary_lines(n: int = 220, seed: int = 0) -> list[str]:
    """``n`` lines of prices, quantities, dates, sizes, model numbers: none of it is PII."""
    rng = random.Random(seed)
    r = rng.randint
    templates = [
        lambda: f"价格{r(10, 9999)}元，很划算", lambda: f"¥{r(1, 99)},{r(100, 999)}.00 买的", lambda: f"${r(1, 999)}.{r(10, 99)} total",
        lambda: f"买了{r(2, 50)}件，质量不错", lambda: f"第{r(2, 20)}次购买了", lambda: f"{r(2015, 2025)}年{r(1, 12)}月{r(1, 28)}日收到",
        lambda: f"delivered on {r(2015, 2025)}-{r(1, 12):02d}-{r(1, 28):02d} {r(0, 23):02d}:{r(0, 59):02d}",
        lambda: f"订单{r(2, 99)}个都到了", lambda: f"iPhone {r(6, 16)} Pro Max 很好用", lambda: f"Galaxy S{r(8, 24)} Ultra",
        lambda: f"尺码{r(35, 46)}，偏大", lambda: f"size {r(4, 14)} fits well", lambda: f"{rng.choice([4, 8, 16, 32])}GB内存够用",
        lambda: f"{r(2000, 6000)}mAh电池", lambda: f"{r(24, 85)}寸电视", lambda: f"RTX {r(20, 49)}{r(5, 9)}0 显卡",
        lambda: f"评分{r(1, 4)}.{r(0, 9)}", lambda: f"等了{r(2, 30)}天才到", lambda: f"{r(5, 70)}% off today",
        lambda: f"用微信支付了{r(10, 99999)}元", lambda: f"支付宝付款 {r(100, 99999)} 元", lambda: f"QQ音乐会员{r(1, 12)}个月",
        lambda: "地址写错了，客服帮我改了", lambda: f"新RTX{r(30, 49)}{r(5, 9)}0显卡很快", lambda: f"型号 A{r(1000, 2999)}",
        lambda: f"{rng.choice([720, 1080, 1440, 2160])}p 画质", lambda: f"i7-{r(10, 14)}{r(100, 900)}K 处理器",
        lambda: f"pack of {r(2, 48)} batteries", lambda: f"{r(2, 500)} items ordered", lambda: f"waited {r(2, 60)} days",
        lambda: f"model X{r(1, 9)}00", lambda: f"version {r(1, 9)}.{r(0, 20)}.{r(0, 99)}", lambda: f"¥{r(1, 99)},{r(100, 999)}",
        lambda: f"{r(1, 9)}年保修，{r(2, 5)}个配件", lambda: f"第{r(1, 9)}代产品比第{r(1, 9)}代好", lambda: f"{r(1, 9)}+{r(1, 9)}套餐",
        lambda: f"微信红包{r(1, 200)}元", lambda: f"QQ {r(1, 9)}级会员", lambda: f"zip file was {r(2, 900)} MB",
        lambda: f"收到{r(2, 9)}个包裹，地址没错", lambda: f"address the issue in {r(2, 9)} days",
        lambda: f"{r(100, 999)}克一袋", lambda: f"买{r(2, 9)}送{r(1, 3)}", lambda: f"每天{r(2, 12)}小时",
        lambda: f"orders {r(1000, 99999)} units per month", lambda: f"大概{r(10000, 99999)}块钱",
        lambda: f"line {r(2, 40)} of the manual", lambda: f"wechat pay {r(10, 9999)} yuan",
    ]
    return [templates[i % len(templates)]() for i in range(n)]


# -- leak scan ----------------------------------------------------------------------------------

_UESC = re.compile(r"\\u([0-9a-fA-F]{4})")


def _text_views(path: Path) -> list[str]:
    """Decoded views of one file's contents, beside its raw bytes."""
    views: list[str] = []
    data = path.read_bytes()
    if data[:4] == b"PAR1":
        import pyarrow.parquet as pq

        views.append(json.dumps(pq.read_table(path).to_pylist(), ensure_ascii=False, default=str))
    elif path.suffix == ".duckdb":
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
                rows = con.execute(f'SELECT * FROM "{name}"').fetchall()
                views.append(json.dumps(rows, ensure_ascii=False, default=str))
        finally:
            con.close()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return views
    views.append(html.unescape(text))
    views.append(_UESC.sub(lambda m: chr(int(m.group(1), 16)), text))
    return views


def leaks(roots: list[Path] | Path, needles: list[str]) -> dict[str, list[str]]:
    """``{needle: [files it was found in]}`` over every file under ``roots`` (empty when clean)."""
    if isinstance(roots, Path):
        roots = [roots]
    found: dict[str, list[str]] = {}
    encoded = [(n, n.encode("utf-8")) for n in needles]
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            raw = path.read_bytes()
            views = _text_views(path)
            for needle, b in encoded:
                if b in raw or any(needle in v for v in views):
                    found.setdefault(needle, []).append(str(path))
    return found
