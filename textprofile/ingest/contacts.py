"""Contact handles in comment text: WeChat, QQ, Alipay, messengers, postcodes, addresses, plates.

In Chinese customer service a WeChat id, QQ number or Alipay account is how a customer gives
their contact details, so these are PII like a phone number. Most of them are only recognisable
by the keyword in front ("微信号 abc123", "QQ: 123456789"): a bare 9-digit number is a QQ number
or an order count, and only the keyword tells. So each rule is a keyword, a separator and a
handle; the keyword and separator are kept (the sentence still reads "加微信 <WECHAT>") and only
the handle is replaced. A handle that could be an ordinary number (digits followed by 元, 件, 天,
a decimal point...) or an ordinary word ("wechat support") is left alone. The rules are listed in
docs/internals.md ("PII placeholders").

Runs after URLs and e-mails are replaced (``pii.scrub``) and before the digit-only patterns
(phones, ID and card numbers). Never consumes a backslash or a quote: it also runs over the JSON
text of unmapped columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Placeholders added here (pii.PLACEHOLDERS lists every one; text.social drops them all).
CONTACT_PLACEHOLDERS = ("<WECHAT>", "<QQ>", "<ALIPAY>", "<TELEGRAM>", "<WHATSAPP>", "<LINE>",
                        "<POSTCODE>", "<ADDRESS>", "<PLATE>")

# keyword ... handle: "号/账号/ID", optional quote (JSON), then ":" "：" "=" "是" "为" "is"
_SEP = (r"(?P<sep>\s*(?:同号|号码|账号|帐号|账户|号|[Ii][Dd](?![A-Za-z])|number|account)?\s*[\"']?\s*"
        r"(?:[:：=]|是|为|(?<![A-Za-z])is(?![A-Za-z]))?\s*[\"']?\s*)")
_DIGITS = r"\+?\d[\d \-]{3,18}\d"
_END = r"(?![A-Za-z0-9_\-])"
# what may follow a number that is a quantity, price, date or size rather than an account
_UNIT_AFTER = re.compile(
    r"\s?(?:[元块圆角分%‰个件次台只份位人天年月日号点时秒岁斤克寸米码G]|kg|mm|cm|ml|mah|gb|mb|tb|hz|[wvm](?![a-z])"
    r"|pcs|items?|days?|years?|months?|hours?|times|yuan|rmb|usd|dollars?|\.\d)", re.IGNORECASE)
_HAN = "\u4e00-\u9fff"


def _digits(h: str) -> int:
    return sum(c.isdigit() for c in h)


def _is_quantity(text: str, end: int) -> bool:
    return bool(_UNIT_AFTER.match(text, end))


def _colon(m: re.Match) -> bool:
    return any(c in m.group("sep") for c in ":：=")


def _handle_ok(m: re.Match, text: str, min_digits: int, latin_keyword: bool) -> bool:
    """Shared acceptance: numbers must be long and not quantities; words need a colon or a digit."""
    h = m.group("h")
    if h.lower().startswith("wxid_"):
        return True
    if h.lstrip("+").replace(" ", "").replace("-", "").isdigit():
        return _digits(h) >= min_digits and not _is_quantity(text, m.end("h"))
    if any(c.isdigit() or c in "_-." for c in h):
        return True
    # a plain word after a Latin keyword ("wechat support", "telegram channel") is not a handle
    return _colon(m) or not latin_keyword


def _wechat(m: re.Match, text: str) -> bool:
    return _handle_ok(m, text, 5, latin_keyword=m.group("zh") is None)


def _qq(m: re.Match, text: str) -> bool:
    return not _is_quantity(text, m.end("h"))


def _alipay(m: re.Match, text: str) -> bool:
    return _handle_ok(m, text, 6, latin_keyword=True)


def _telegram(m: re.Match, text: str) -> bool:
    h = m.group("h")
    if h.startswith("@") or _colon(m):
        return True
    return m.group("kw").lower() != "tg" and _handle_ok(m, text, 5, latin_keyword=True)


def _whatsapp(m: re.Match, text: str) -> bool:
    if m.group("kw").lower() == "wa" and not _colon(m):
        return False
    return _digits(m.group("h")) >= 7 and not _is_quantity(text, m.end("h"))


def _always(m: re.Match, text: str) -> bool:
    return True


_ADDRESS_SUFFIX = re.compile(r"[省市区县镇乡村路街道巷弄号栋幢楼室]")


def _address_zh(m: re.Match, text: str) -> bool:
    """With "地址:" anything that follows is the address; without, it must look like one."""
    if _colon(m):
        return True
    h = m.group("h")
    if any(w in m.group("sep") for w in ("是", "为", "在")):  # 地址是昌平区, not 地址在哪里
        return bool(_ADDRESS_SUFFIX.search(h))
    return any(c.isdigit() for c in h) and bool(_ADDRESS_SUFFIX.search(h))


def _plate(m: re.Match, text: str) -> bool:
    # 新 and 云 also mean "new" and "cloud" (新RTX4090, 云ABC123): only after a plate keyword
    return m.group("prov") not in "新云" or bool(m.group("kw"))


# (placeholder, quick tests on the lower-cased text (literals, or regexes starting with ( [ \\),
#  pattern with an "h" group, accept(match, text))
# A pattern without a "pre" group is replaced whole.
_RULES: list[tuple[str, tuple[str, ...], re.Pattern, Callable[[re.Match, str], bool]]] = [
    ("<WECHAT>", ("wxid_",), re.compile(r"(?<![A-Za-z0-9_])(?P<h>[Ww][Xx][Ii][Dd]_[A-Za-z0-9_\-]{2,30})"), _always),
    ("<WECHAT>", ("微信", "威信", "薇信", "v信", "vx", "wx", "wechat", "we chat", "weixin"), re.compile(
        r"(?P<pre>(?:(?P<zh>微信号|微信|威信|薇信|[vV]信)|(?<![A-Za-z])(?:[vVwW][xX]|(?i:we[ \-]?chat|weixin))(?![A-Za-z]))"
        + _SEP + r")(?P<h>[Ww][Xx][Ii][Dd]_[A-Za-z0-9_\-]+|[A-Za-z][A-Za-z0-9_\-]{5,19}|" + _DIGITS + ")" + _END),
        _wechat),
    ("<QQ>", ("qq", "扣扣", "企鹅"), re.compile(
        r"(?P<pre>(?:(?<![A-Za-z])[Qq]{2}(?![A-Za-z])|扣扣|企鹅)(?:群号|群)?" + _SEP + r")(?P<h>[1-9]\d{4,11})(?![\d\-])"),
        _qq),
    ("<ALIPAY>", ("支付宝", "alipay"), re.compile(
        r"(?P<pre>(?:支付宝|(?<![A-Za-z])(?i:alipay)(?![A-Za-z]))" + _SEP
        + r")(?P<h>" + _DIGITS + r"|[A-Za-z][A-Za-z0-9_.\-]{4,39})" + _END), _alipay),
    ("<TELEGRAM>", ("t.me/",), re.compile(r"(?<![\w/.])[Tt]\.[Mm][Ee]/(?P<h>[A-Za-z0-9_+]{3,64})"), _always),
    ("<TELEGRAM>", ("telegram", "电报", "tg:", "tg：", "tg :", "tg @", "tg@"), re.compile(
        r"(?P<pre>(?P<kw>(?<![A-Za-z])(?i:telegram|tg)(?![A-Za-z])|电报)" + _SEP
        + r")(?P<h>@?[A-Za-z][A-Za-z0-9_]{4,31})(?![A-Za-z0-9_])"), _telegram),
    ("<WHATSAPP>", ("wa.me/",), re.compile(r"(?<![\w/.])[Ww][Aa]\.[Mm][Ee]/(?P<h>\+?\d{6,16})"), _always),
    ("<WHATSAPP>", ("whats", "wa:", "wa：", "wa :", "wa="), re.compile(
        r"(?P<pre>(?P<kw>(?<![A-Za-z])(?i:whats ?app|wa)(?![A-Za-z]))" + _SEP + r")(?P<h>" + _DIGITS + r")(?!\d)"),
        _whatsapp),
    ("<LINE>", ("line id", "lineid", "line:", "line：", "line :"), re.compile(
        r"(?P<pre>(?<![A-Za-z])(?:(?:LINE|Line|line) ?(?:ID|Id|id)(?![A-Za-z])\s*[\"']?\s*(?P<sep>[:：=]?)"
        r"|LINE\s*[\"']?\s*(?P<sep2>[:：]))\s*[\"']?\s*)"
        r"(?P<h>@?[A-Za-z0-9][A-Za-z0-9_.\-]{3,19})(?![A-Za-z0-9_\-])"), _always),
    ("<POSTCODE>", ("邮编", "邮政编码", "邮码"), re.compile(
        r"(?P<pre>(?:邮编|邮政编码|邮码)" + _SEP + r")(?P<h>\d{6})(?!\d)"), _always),
    ("<POSTCODE>", ("zip", "postcode", "post code", "postal code"), re.compile(
        r"(?P<pre>(?<![A-Za-z])(?i:zip ?code|zip|postal ?code|post ?code)(?![A-Za-z])" + _SEP
        + r")(?P<h>\d{5}(?:-\d{4})?(?!\d)|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?![A-Za-z]))"), _always),
    ("<ADDRESS>", ("地址", "住址"), re.compile(
        r"(?P<pre>(?:收货地址|收件地址|寄件地址|送货地址|家庭住址|详细地址|联系地址|地址|住址)"
        r"(?P<sep>\s*[\"']?\s*(?:[:：=]|是|为|在)?\s*[\"']?\s*))"
        r"(?P<h>(?:(?!\.\s|\.$)[^\s,，。!！?？;；\"'\\<>()（）])(?:(?:(?!\.\s|\.$)[^\n,，。!！?？;；\"'\\<>()（）]){0,78}"
        r"(?:(?!\.\s|\.$)[^\s,，。!！?？;；\"'\\<>()（）]))?)"), _address_zh),
    ("<ADDRESS>", ("address",), re.compile(
        r"(?P<pre>(?<![A-Za-z])(?i:(?:shipping|mailing|home|delivery|billing|street|postal) address|address)"
        r"(?P<sep>\s*(?:is\s*)?[:：=]\s*))(?P<h>[^\s\"\\<>;][^\n\"\\<>;]{3,119}?)(?=\s*(?:[;!?\"\\<>\n]|\.\s|\.$|$))"),
        _always),
    # bare addresses without a keyword: a Chinese road + house number, a housing estate building,
    # an English house number + street name + street type
    ("<ADDRESS>", (r"[路街巷弄道同区园寓厦村]\d",), re.compile(
        "(?P<h>[" + _HAN + r"]{2,10}(?:路|街|巷|弄|大道|胡同)\d{1,5}(?:-\d{1,5})?号(?:\d{1,4}(?:栋|幢|号楼|楼|单元|室|层))*"
        "|[" + _HAN + r"]{2,8}(?:小区|花园|公寓|大厦|新村)\d{1,4}(?:栋|幢|号楼)(?:\d{1,3}单元)?(?:\d{1,5}室?)?)"), _always),
    ("<ADDRESS>", ((r"\d (?:[a-z]+\.? ){1,4}(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr"
                    r"|court|ct|way|place|pl|terrace|parkway|pkwy|highway|hwy)(?![a-z])"),), re.compile(
        r"(?<![\w\-])(?P<h>\d{1,6} (?:[A-Z][a-z]+\.? ){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln"
        r"|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy)(?![A-Za-z])\.?"
        r"(?:,? ?(?:Apt|Apartment|Suite|Ste|Unit|#)\.? ?[A-Za-z0-9\-]{1,6})?)"), _always),
    ("<PLATE>", ("[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][a-hj-np-z]",), re.compile(
        r"(?P<pre>(?P<kw>(?:车牌号?|牌照|车号|(?i:plate))\s*[:：]?\s*)?)(?<![A-Za-z0-9])"
        r"(?P<h>(?P<prov>[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])[A-HJ-NP-Z][·• ]?"
        r"[A-HJ-NP-Z0-9]{5,6})(?![A-Za-z0-9])"), _plate),
]
# Quick tests, per rule: literals, all looked for in the lower-cased text by one regex (a plain
# alternation of literals, which the regex engine scans for by first character: 3x faster than
# an ``in`` test per literal), or a regex of the rule's own; Latin-only rules are skipped for
# texts without a Latin letter.
_LITERALS = [tuple(q for q in quick if not q.startswith(("(", "[", "\\"))) for _, quick, _, _ in _RULES]
_REGEXES = [re.compile("|".join(q for q in quick if q.startswith(("(", "[", "\\"))))
            if any(q.startswith(("(", "[", "\\")) for q in quick) else None for _, quick, _, _ in _RULES]
# every quick test, for pii.may_hold_pii's column-wise pre-check (a superset of them)
QUICK_LITERALS = tuple(sorted({q for lits in _LITERALS for q in lits}))
QUICK_REGEXES = tuple(q for _, quick, _, _ in _RULES for q in quick if q.startswith(("(", "[", "\\")))
_LATIN_ONLY = [all(q.isascii() for q in quick) for _, quick, _, _ in _RULES]
_ANY_LITERAL = re.compile("|".join(re.escape(q) for q in sorted({q for lits in _LITERALS for q in lits},
                                                              key=lambda q: (-len(q), q))))
_LATIN = re.compile("[A-Za-z]")
_REGEX_RULES = [i for i, r in enumerate(_REGEXES) if r is not None]
# literal found -> the rules it triggers (every rule with a literal inside it)
_RULES_OF = {f: tuple(i for i, lits in enumerate(_LITERALS) if any(q in f for q in lits))
             for f in {q for lits in _LITERALS for q in lits}}


def _replacer(placeholder: str, accept: Callable[[re.Match, str], bool]):
    def sub(m: re.Match) -> str:
        if not accept(m, m.string):
            return m.group(0)
        pre = m.groupdict().get("pre") or ""
        return pre + placeholder

    return sub


def scrub_contacts(text: str) -> str:
    """Replace contact handles in ``text`` with their placeholders (see the module docstring)."""
    if not text:
        return text
    low = text.lower()
    latin = _LATIN.search(text) is not None
    rules = set()
    for f in _ANY_LITERAL.findall(low):
        # a longer literal found may hide a shorter one of another rule inside it ("wxid_" > "wx")
        rules.update(_RULES_OF.get(f) or (i for i, lits in enumerate(_LITERALS) if any(q in f for q in lits)))
    rules.update(i for i in _REGEX_RULES if _REGEXES[i].search(low) is not None)
    for i in sorted(rules):
        if _LATIN_ONLY[i] and not latin:
            continue
        placeholder, _, pattern, accept = _RULES[i]
        new = pattern.sub(_replacer(placeholder, accept), text)
        if new != text:
            text, low = new, new.lower()
    return text


def scrub_contacts_many(texts: list) -> list:
    """``scrub_contacts`` over a list, with one scan of all texts to find the few that need it.

    The quick tests run once over the texts joined by NUL (which no keyword or quick regex can
    match across), so a text with no keyword costs no Python call at all.
    """
    import bisect

    idx = [i for i, t in enumerate(texts) if isinstance(t, str) and t]
    if not idx:
        return list(texts)
    lows = [texts[i].lower() for i in idx]
    starts, pos = [], 0
    for low in lows:
        starts.append(pos)
        pos += len(low) + 1
    joined = "\x00".join(lows)
    hit = {bisect.bisect_right(starts, m.start()) - 1 for m in _ANY_LITERAL.finditer(joined)}
    for i in _REGEX_RULES:
        hit.update(bisect.bisect_right(starts, m.start()) - 1 for m in _REGEXES[i].finditer(joined))
    out = list(texts)
    for j in sorted(hit):
        out[idx[j]] = scrub_contacts(texts[idx[j]])
    return out
