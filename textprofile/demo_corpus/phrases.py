"""Shared phrasing of the demo corpus: templates, fillers, chat and social trimmings, products.

Interest-specific words and sentences live in ``vocab.py``; everything here is shared by all
interests (except ``PAIRS``, the code-switching pairs, keyed by interest).
"""

from __future__ import annotations

from textprofile.demo_corpus.vocab import INTERESTS


def _t(s: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in s.split("|") if x.strip())


# Code-switching pairs: a Chinese term with its English counterpart, written together in mixed
# comments ("续航 battery life 不行"), as bilingual shoppers do.
PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "battery": (("电池", "battery"), ("续航", "battery life"), ("充电器", "charger"),
                ("快充", "fast charging"), ("充电宝", "power bank"), ("待机", "standby"),
                ("无线充电", "wireless charging")),
    "delivery": (("快递", "courier"), ("物流", "shipping"), ("包裹", "parcel"),
                 ("物流信息", "tracking"), ("配送", "delivery"), ("快递员", "driver")),
    "skincare": (("面霜", "face cream"), ("精华", "serum"), ("防晒", "sunscreen"),
                 ("爽肤水", "toner"), ("洗面奶", "cleanser"), ("眼霜", "eye cream"), ("面膜", "sheet mask")),
    "sizing": (("尺码", "size"), ("腰围", "waist"), ("袖子", "sleeves"), ("裤长", "length"),
               ("肩宽", "shoulders"), ("裤子", "jeans"), ("裙子", "dress"), ("外套", "jacket")),
    "refunds": (("退款", "refund"), ("退货", "return"), ("换货", "exchange"),
                ("退款进度", "claim"), ("售后", "replacement")),
    "coffee": (("咖啡", "coffee"), ("咖啡豆", "beans"), ("拿铁", "latte"), ("香气", "aroma"),
               ("口感", "flavor"), ("零食", "snacks"), ("饼干", "cookies")),
    "service": (("客服", "customer service"), ("人工客服", "agent"), ("在线客服", "live chat"),
                ("客服热线", "support")),
    "price": (("价格", "price"), ("优惠券", "coupon"), ("折扣", "discount"), ("促销", "sale"),
              ("秒杀", "deal"), ("会员价", "promo code")),
    "camera": (("相机", "camera"), ("镜头", "lens"), ("夜景", "night mode"), ("自拍", "selfie"),
               ("长焦", "telephoto"), ("画质", "image quality"), ("防抖", "stabilization")),
    "baby": (("奶粉", "formula"), ("纸尿裤", "diapers"), ("奶瓶", "bottle"), ("推车", "stroller"),
             ("湿巾", "wipes"), ("安抚奶嘴", "pacifier"), ("吸奶器", "breast pump")),
}

# Shared generic templates; {c} is the interest line, {a} a term, {e} an evaluation, {p} the product.
ZH_TEMPLATES = (
    "{c}。", "{c}，{e}。", "买的{p}，{c}。", "{f}，{c}。", "{c}，{g}。", "这次买的{p}，{c}，总体{e}。",
    "{c}！{e}", "收到{p}了，{c}。{g}。", "第二次买{p}了，{c}。", "{c}，{a}这块{e}。",
)
EN_TEMPLATES = (
    "{c}.", "{c}. {e}.", "Bought the {p}. {c}.", "{f}, {c}.", "{c}. {g}.",
    "Got the {p} last week. {c}, overall {e}.", "{c}! {e}", "{c}. The {a} part is {e}.",
    "Second time buying the {p}. {c}.", "{f}. {c}.",
)
ZH_EVAL_POS = _t("很满意|不错|超出预期|挺好的|值得推荐|没毛病|五星好评|好评")
ZH_EVAL_NEG = _t("很失望|不太满意|差评|体验很差|不推荐|太坑了|一言难尽|心累")
EN_EVAL_POS = _t("very happy|great|better than expected|pretty good|recommended|no complaints|"
                 "five stars")
EN_EVAL_NEG = _t("disappointed|not happy|avoid|really poor|not recommended|what a letdown|"
                 "frustrating")
# Fillers: {f} opens a comment (any of them), {g} closes one (only the closers).
ZH_CLOSER = _t("朋友推荐买的|给家里人买的|之前一直用别家的|看了很多评价才下单|下次还会再来|"
               "希望商家改进|纠结了好久才买")
ZH_FILLER = _t("说实话|总的来说|老实讲") + ZH_CLOSER
EN_CLOSER = _t("A friend recommended it|Bought it for my mom|I used another brand before|"
               "Read a lot of reviews first|Would buy again|Hope the seller improves|"
               "Took me ages to decide")
EN_FILLER = _t("Honestly|Overall|To be fair") + EN_CLOSER
# Glue clauses: two more terms of the same interest, so its lines are seen together. They read
# like the pros/cons tags shopping sites add to reviews.
ZH_GLUE_POS = _t("亮点：{a}、{b}|【{a}】【{b}】|{a}/{b}")
ZH_GLUE_NEG = _t("槽点：{a}、{b}|【{a}】【{b}】|{a}/{b}")
EN_GLUE_POS = _t("Pros: {a}, {b}|+ {a} + {b}|{a}/{b}")
EN_GLUE_NEG = _t("Cons: {a}, {b}|- {a} - {b}|{a}/{b}")
# Short comments with no interest words, as real exports have.
ZH_GENERIC = _t("好评|还行吧|挺好的，下次再来|一般般|东西收到了|不错不错|满意|还可以")
EN_GENERIC = _t("Good.|OK I guess|Fine.|Love it!|As described.|Not bad|Meh.|Thanks!")

# Chat: customer openers/acks and the agent's generic service replies (excluded from profiles).
ZH_CHAT_OPEN = _t("你好，在吗|你好，我想问一下|客服你好|亲，问个事|您好，麻烦看一下")
EN_CHAT_OPEN = _t("Hi there|Hello, quick question|Hi, I need some help|Hey|Hello")
ZH_CHAT_ACK = _t("好的，谢谢|行吧，那我等等|好的麻烦了|知道了，谢谢")
EN_CHAT_ACK = _t("OK thanks|Alright, I'll wait|Thanks for your help|Got it, thanks")
# Agent replies by position: 0 greeting, 1-2 first reply, 3/5/6 follow-up, 4/7 closing.
ZH_AGENT = (
    "您好，很高兴为您服务，请问有什么可以帮您？",
    "亲，非常抱歉给您带来不便，这边马上为您核实处理",
    "麻烦您提供一下订单号，这边帮您查询",
    "已经为您登记反馈，预计24小时内给您答复",
    "感谢您的耐心等待，请问还有其他可以帮您的吗？",
    "已为您加急处理，请留意短信通知",
    "理解您的心情，这边已经反馈给相关部门",
    "好的亲，祝您生活愉快",
)
EN_AGENT = (
    "Hi, thanks for reaching out! How can I help today?",
    "I'm sorry for the inconvenience. Let me look into this for you.",
    "Could you share your order number, please?",
    "I've logged this and you'll hear back from us within 24 hours.",
    "Thanks for your patience. Is there anything else I can help with?",
    "I've prioritised your case; please watch for an email update.",
    "I understand how frustrating this is and I've passed it to the team.",
    "You're welcome, have a great day!",
)

# Social: mentions of made-up accounts and generic tags.
MENTIONS = _t("@优选商城官方|@ShopNowHelp|@小鹿的日常|@数码老张|@LilyReviews|@好物研究所|@DailyDeals")
ZH_GENERIC_TAGS = _t("#好物分享#|#日常#|#购物#")
EN_GENERIC_TAGS = _t("#review|#haul|#shopping")
EMOJI = _t("😂|👍|😭|🙄|❤️|✨")

# Products for interests that apply to any purchase (delivery, refunds, service, price).
ANY_PRODUCTS: tuple[tuple[str, float, float], ...] = tuple(
    p for i in INTERESTS for p in i.products
)
# How English-writing customers name the products (the export's product column keeps one name).
PRODUCT_EN: dict[str, str] = {
    "X9 Pro 手机": "X9 Pro phone", "降噪蓝牙耳机": "noise-cancelling earbuds",
    "20000mAh 充电宝": "20000mAh power bank", "智能手表 S3": "S3 smartwatch",
    "轻薄笔记本 Air 14": "Air 14 laptop", "玻尿酸保湿面霜": "hyaluronic moisturizer",
    "烟酰胺精华液": "niacinamide serum", "清爽防晒霜 SPF50": "SPF50 sunscreen",
    "氨基酸洗面奶": "amino acid cleanser", "补水面膜 10片": "hydrating masks (10 pack)",
    "高腰牛仔裤": "high-waist jeans", "纯棉T恤": "cotton tee", "法式连衣裙": "French-style dress",
    "羊毛大衣": "wool coat", "运动卫衣": "sports hoodie",
    "埃塞俄比亚咖啡豆 454g": "Ethiopian coffee beans 454g", "挂耳咖啡 30包": "drip coffee bags (30)",
    "冻干速溶咖啡": "freeze-dried instant coffee", "黄油曲奇礼盒": "butter cookie tin",
    "每日坚果 30袋": "daily nut packs (30)", "微单相机 Z50": "Z50 mirrorless camera",
    "运动相机 Go 4": "Go 4 action camera", "手机广角镜头夹": "clip-on wide-angle lens",
    "婴儿纸尿裤 L码": "size L diapers", "一段婴儿奶粉 800g": "stage 1 infant formula 800g",
    "宽口径奶瓶": "wide-neck baby bottle", "轻便婴儿推车": "lightweight stroller",
    "婴儿湿巾 80抽": "baby wipes (80)",
}
