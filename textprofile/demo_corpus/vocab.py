"""Vocabulary of the demo corpus: the planted interests, their key terms and sentences.

Every sentence here was written for this project. Interest lines carry the words that make an
interest recognisable; the shared templates and fillers in ``phrases.py`` wrap them so the text
reads like a real export rather than a word list. In a line, ``{a}`` and ``{b}`` are two distinct
noun terms of the interest (its ``*_slots``); a term written ``~word`` in a term list is a key
term that is not a noun, so it appears in the lines but never fills a slot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Interest:
    """One planted interest: key terms and interest-specific lines per language and sentiment."""

    name: str
    label: str
    zh_terms: tuple[str, ...]
    en_terms: tuple[str, ...]
    zh_pos: tuple[str, ...]
    zh_neg: tuple[str, ...]
    en_pos: tuple[str, ...]
    en_neg: tuple[str, ...]
    zh_tags: tuple[str, ...]
    en_tags: tuple[str, ...]
    products: tuple[tuple[str, float, float], ...]  # (name, min amount, max amount); empty = any
    zh_slots: tuple[str, ...] = ()  # the terms that read well in a noun slot, from zh_terms
    en_slots: tuple[str, ...] = ()

    def __post_init__(self):
        # "~word" marks a key term that is not a noun: it appears in the lines, never in a slot.
        for lang in ("zh", "en"):
            raw = getattr(self, f"{lang}_terms")
            object.__setattr__(self, f"{lang}_terms", tuple(t.lstrip("~") for t in raw))
            object.__setattr__(self, f"{lang}_slots", tuple(t for t in raw if not t.startswith("~")))


def _t(s: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in s.split("|") if x.strip())


INTERESTS: tuple[Interest, ...] = (
    Interest(
        "battery", "battery life (electronics)",
        _t("电池|续航|充电|充电器|电量|~耗电|快充|待机|充电宝|~掉电|~发热|~毫安|充电线|低电量|"
           "省电模式|~一天一充|充电速度|无线充电|电池健康|充电口|~满电|续航时间"),
        _t("battery|battery life|charging|charger|~drains|power bank|fast charging|standby|~mah|"
           "~overheats|usb-c cable|wireless charging|power saving mode|~recharge|screen-on time|"
           "~charge cycles|battery health|charging port|~full charge"),
        _t("{a}很给力，重度使用一天下来还剩百分之三十电量|"
           "{a}和{b}都没让我失望，出门不用带充电宝了|快充半小时就能充到八成，{a}比上一台强太多|"
           "待机一周才掉了一点电，{a}真的省心|"
           "标称五千毫安，实际{a}比宣传的还好|一天一充完全够用，{a}很稳定"),
        _t("{a}太拉胯了，中午就要找插座充电|用了一个月{a}明显下降，充电的时候还发热|"
           "掉电特别快，{a}和{b}都不行，电池怕是有问题|{a}慢得离谱，充满电要三个多小时|"
           "后台耗电严重，{a}一天要充两次|{a}不到一年电池健康就剩八成，充电循环次数太多"),
        _t("The {a} is excellent, I get a full day of heavy use on one charge|"
           "Fast charging gets it to 80 percent in half an hour, the {a} beats my old one|"
           "Standby drain is tiny and the {a} holds up even with GPS on|"
           "The {a} and {b} are solid, no more carrying a power bank|"
           "Easily a day and a half per charge, the {a} is the best I've had|"
           "The {a} supports wireless charging and fast charging, very handy"),
        _t("The {a} drains way too fast, I have to recharge by lunch|"
           "After a month the {a} got noticeably worse and it overheats while charging|"
           "The charger is painfully slow, a full charge takes over three hours|"
           "Battery dies at 20 percent, the {a} and {b} are both a letdown|"
           "Only 300 charge cycles and the {a} is already at 85 percent|"
           "Background apps kill the {a}, I need a power bank every day"),
        _t("#续航焦虑#|#充电宝#|#数码#"), _t("#batterylife|#charging|#techfail"),
        (("X9 Pro 手机", 1999, 3999), ("降噪蓝牙耳机", 199, 899), ("20000mAh 充电宝", 99, 199),
         ("智能手表 S3", 599, 1599), ("轻薄笔记本 Air 14", 3999, 6999)),
    ),
    Interest(
        "delivery", "delivery / shipping",
        _t("快递|物流|发货|送货|包裹|配送|~签收|快递员|~到货|派送|物流信息|发货速度|~仓库|~揽收|"
           "~催单|~驿站|~送达|~快递盒|次日达|~送货上门|运输|~中转"),
        _t("delivery|shipping|package|parcel|courier|tracking|~shipped|~arrived|~delayed|dispatch|"
           "~doorstep|carrier|~warehouse|~in transit|express|~next-day|driver|~delivered|"
           "~tracking number|shipment"),
        _t("{a}超快，昨天下单今天就到了|{a}很给力，快递员还打电话确认送货上门|"
           "物流信息更新及时，{a}和{b}都很满意|次日达名不虚传，包裹完好无损|"
           "{a}揽收当天就发出，第二天就签收了|快递盒包装结实，{a}送达很准时"),
        _t("{a}太慢了，物流信息一个星期都没更新|快递员没打电话就放驿站了，{a}体验很差|"
           "包裹在中转仓库卡了五天，{a}和{b}都让人着急|催了三次{a}还是没动静，说好的次日达呢|"
           "显示已签收但我根本没收到，{a}太离谱|{a}迟迟不揽收，催单也没用"),
        _t("The {a} was super quick, ordered yesterday and it arrived today|"
           "Tracking updated every step and the courier brought the parcel to my doorstep|"
           "Next-day delivery actually arrived next day, the {a} was flawless|"
           "The {a} and {b} were smooth, parcel arrived in perfect condition|"
           "Shipped the same day and delivered in two days, the {a} was impressive|"
           "The driver called ahead and the {a} came right on time"),
        _t("The {a} took forever, tracking has not updated in a week|"
           "The courier left my parcel at the wrong doorstep, {a} was a mess|"
           "My package sat in the warehouse for five days, the {a} is a joke|"
           "Shipment delayed again, the {a} and {b} are unreliable|"
           "Tracking number says delivered but nothing at my door, the {a} is broken|"
           "Stuck in transit for ten days, worst {a} ever"),
        _t("#快递#|#物流#|#等快递的日子#"), _t("#shipping|#delivery|#wheresmyparcel"),
        (),
    ),
    Interest(
        "skincare", "skincare",
        _t("面霜|精华|~保湿|~皮肤|~敏感肌|~补水|乳液|爽肤水|~毛孔|~控油|~痘痘|~美白|防晒|面膜|"
           "~质地|~吸收|~肤感|~过敏|~干皮|~油皮|~滋润|~成分|~抗老|洗面奶|眼霜|身体乳"),
        _t("moisturizer|serum|~skin|~hydrating|~sensitive skin|face cream|toner|~pores|~breakouts|"
           "~acne|sunscreen|~spf|sheet mask|~texture|~absorbs|~greasy|~dry skin|~oily skin|"
           "~fragrance|~irritation|~glow|~niacinamide|retinol|cleanser|eye cream|body lotion"),
        _t("{a}质地很清爽，吸收快不黏腻|敏感肌用了没有过敏，{a}和{b}都很温和|"
           "坚持用了两周，{a}效果明显，皮肤水润了很多|干皮冬天的救星，{a}特别滋润|"
           "{a}控油效果好，毛孔看起来细了|{a}肤感轻薄，美白和抗老成分都有"),
        _t("{a}用了脸上冒痘痘，敏感肌慎入|{a}太油了，油皮用完一脸油光|"
           "涂完{a}皮肤发红刺痛，怀疑是成分过敏|{a}和{b}都不吸收，搓泥严重|"
           "{a}根本不控油，毛孔反而更明显了|{a}肤感厚重，说是美白抗老其实没什么用"),
        _t("The {a} absorbs quickly and leaves my skin soft, not greasy|"
           "My sensitive skin had no irritation, the {a} and {b} are gentle|"
           "Two weeks in and my skin has a real glow, the {a} works|"
           "Great for dry skin in winter, the {a} is very hydrating|"
           "The {a} has niacinamide and my pores look smaller|"
           "Lovely light texture, the {a} layers well under sunscreen"),
        _t("The {a} gave me breakouts, avoid if you have sensitive skin|"
           "Way too greasy for oily skin, the {a} just sits on top|"
           "The {a} made my skin red and itchy, probably the fragrance|"
           "The {a} and {b} pilled on my face and caused acne|"
           "The {a} did nothing for my pores and the texture is sticky|"
           "Strong fragrance, the {a} stings my sensitive skin"),
        _t("#护肤#|#敏感肌#|#好物分享#"), _t("#skincare|#sensitiveskin|#glowup"),
        (("玻尿酸保湿面霜", 89, 299), ("烟酰胺精华液", 129, 399), ("清爽防晒霜 SPF50", 69, 189),
         ("氨基酸洗面奶", 39, 99), ("补水面膜 10片", 49, 129)),
    ),
    Interest(
        "sizing", "sizing / fit (clothes)",
        _t("尺码|码数|~偏大|~偏小|腰围|裤长|袖子|版型|~身高|~体重|~合身|~宽松|~紧身|肩宽|胸围|"
           "~大一码|~小一码|~尺码表|~面料|衣服|裤子|裙子|外套|~修身|~试穿"),
        _t("size|sizing|fit|~fits|~too small|~too big|waist|length|sleeves|~size chart|"
           "~runs small|~runs large|~tight|~loose|shoulders|inseam|~size up|~size down|jeans|"
           "dress|jacket|~fabric|~true to size"),
        _t("按尺码表买的，{a}刚刚好很合身|身高一米六五体重一百斤，穿S码{a}正好|"
           "{a}很显瘦，版型和面料都不错|肩宽合适袖子长度也对，{a}和{b}都满意|"
           "试穿了一下{a}很修身，宽松度刚好|比平时小一码买的，{a}和腰围都正好"),
        _t("{a}严重偏小，平时穿M码这件L码都紧|裤长太长了，{a}和尺码表完全对不上|"
           "{a}偏大一码，腰围松松垮垮的|衣服版型奇怪，{a}和{b}都不合身，只能退了|"
           "说是宽松款结果很紧身，{a}偏小|试穿后{a}太长，只能换小一码"),
        _t("Ordered from the size chart and the {a} is perfect, true to size|"
           "I'm 5'5 and the medium fits great, the {a} is flattering|"
           "The fabric is nice and the {a} fits well through the shoulders|"
           "The {a} and {b} are spot on, sleeves are the right length|"
           "I sized up and the {a} fits great, nice and loose|"
           "Tried it on and the {a} is slim but not too tight"),
        _t("The {a} runs small, I normally wear a medium and the large is tight|"
           "The inseam is way too long, the {a} does not match the size chart|"
           "The {a} runs large, the waist is baggy on me|"
           "Weird cut, the {a} and {b} are both off, had to size down|"
           "The {a} is too small even after I sized up|"
           "The {a} is way too big and loose around the waist"),
        _t("#穿搭#|#尺码#|#今日穿搭#"), _t("#ootd|#sizing|#fashionfail"),
        (("高腰牛仔裤", 129, 299), ("纯棉T恤", 49, 129), ("法式连衣裙", 199, 459),
         ("羊毛大衣", 599, 1299), ("运动卫衣", 139, 269)),
    ),
    Interest(
        "refunds", "refunds / returns",
        _t("退款|退货|换货|售后|~退回|~到账|~退款申请|~审核|退款进度|~七天无理由|~退货地址|~寄回|"
           "~运费险|~拒绝退款|~补偿|~订单|~驳回|~原路返回|~退款金额|~质量问题|~凭证|~退货单号"),
        _t("refund|return|~returned|exchange|~return label|~reimbursed|~money back|~return policy|"
           "~rejected|claim|~order number|~processed|~restocking fee|~store credit|~receipt|"
           "~chargeback|~approved|~return window|~send back|replacement|~refunded"),
        _t("申请{a}当天就通过了，钱原路返回很快到账|七天无理由{a}很顺利，运费险也赔了|"
           "{a}处理得很及时，寄回第二天就到账|质量问题换货很痛快，{a}和{b}都省心|"
           "{a}金额原路返回，凭证也很快发过来|客服主动给了补偿，{a}三天就到账了"),
        _t("{a}申请提交一个星期了还在审核|寄回去半个月了{a}还没到账|"
           "明明是质量问题却拒绝退款，{a}流程太折腾|{a}被驳回三次，退货地址还填错了|"
           "退货单号都填了，{a}还是迟迟不退回|订单显示已退款，{a}金额却少了一半"),
        _t("The {a} was approved the same day and the money was back in two days|"
           "Easy return label and the {a} was processed quickly|"
           "They sent a replacement right away, the {a} process was painless|"
           "The {a} and {b} went smoothly, no restocking fee|"
           "I got my money back within the return window, easy {a}|"
           "They reimbursed the shipping too and sent a receipt for the {a}"),
        _t("Still waiting on my {a}, it has been three weeks since I sent it back|"
           "They rejected my {a} even though the item arrived broken|"
           "Charged a restocking fee on a defective item, the return policy is a scam|"
           "My {a} is stuck as pending, I may have to file a chargeback|"
           "No receipt, no order number update, my {a} just vanished|"
           "They only offered store credit instead of a {a}, I want my money back"),
        _t("#退款难#|#售后#|#维权#"), _t("#refund|#returns|#customerrights"),
        (),
    ),
    Interest(
        "coffee", "coffee / food taste",
        _t("咖啡|口感|味道|咖啡豆|拿铁|香气|~苦味|~酸度|~烘焙|挂耳|~速溶|~奶香|~甜度|零食|饼干|"
           "~好喝|~好吃|~回甘|~冲泡|~浓郁|手冲|坚果"),
        _t("coffee|taste|flavor|beans|latte|aroma|~bitter|acidity|roast|espresso|brew|~creamy|"
           "~sweet|snacks|cookies|~delicious|~aftertaste|~fresh|~grind|cold brew|~caffeine|~nutty"),
        _t("{a}很浓郁，回甘明显，早上一杯很提神|咖啡豆新鲜，{a}和{b}都在线|"
           "挂耳冲泡方便，{a}比速溶好喝太多|饼干奶香很足，{a}甜度刚好|"
           "{a}酸度柔和，冲泡后香气很足|零食很好吃，{a}也不会太甜"),
        _t("{a}一股焦苦味，烘焙过头了|{a}太淡了，冲泡出来像水一样|"
           "咖啡豆不新鲜，{a}和{b}都没有香气|零食太甜了，{a}齁得慌|"
           "{a}酸度太高，喝完胃不舒服|{a}一点都不好吃，还有点受潮"),
        _t("The {a} is rich and smooth with a lovely nutty aftertaste|"
           "Fresh beans, the {a} and {b} are spot on for my morning espresso|"
           "Great cold brew, the {a} is creamy without being too sweet|"
           "These cookies are delicious, the {a} is perfect with coffee|"
           "Low acidity and lots of caffeine, the {a} keeps me going|"
           "The {a} has a lovely chocolate note and no bitter edge"),
        _t("The {a} tastes burnt, way over roasted|"
           "The {a} is so weak it tastes like water, even with a fine grind|"
           "Stale beans, no aroma at all, the {a} is disappointing|"
           "The snacks are sickly sweet, the {a} is off|"
           "Way too bitter, the {a} needs lots of milk|The {a} is flat, no caffeine kick at all"),
        _t("#咖啡#|#今天喝什么#|#零食测评#"), _t("#coffee|#coffeelover|#snacktime"),
        (("埃塞俄比亚咖啡豆 454g", 89, 168), ("挂耳咖啡 30包", 59, 129), ("冻干速溶咖啡", 49, 119),
         ("黄油曲奇礼盒", 39, 99), ("每日坚果 30袋", 69, 139)),
    ),
    Interest(
        "service", "customer service",
        _t("客服|~态度|~回复|~耐心|~解答|人工客服|~机器人|~排队|~热情|~专业|~敷衍|~沟通|~电话|"
           "~回应|~效率|~服务态度|~推脱|~转接|~答非所问|~小姐姐|~投诉|在线客服|客服热线"),
        _t("customer service|support|agent|rep|~response|~reply|~helpful|~rude|~patient|~waited|"
           "~on hold|chatbot|live chat|~resolved|~ticket|~escalated|~attitude|~friendly|"
           "~professional|~callback|manager|~ignored"),
        _t("{a}小姐姐特别耐心，问题很快就解决了，服务态度没得说|{a}回复及时，解答也很专业|"
           "{a}和{b}都很好，沟通起来很舒服|人工客服态度热情，一点也不敷衍|"
           "{a}回应很快，投诉当天就处理好了|{a}效率很高，一个电话就解决了"),
        _t("{a}态度太差，问三句回一句，回复敷衍|人工客服排队半小时，{a}全是机器人答非所问|"
           "{a}一直推脱，转接了四次都没人负责|打电话没人接，{a}和{b}都让人崩溃|"
           "投诉了三次{a}都没回应，效率太低|{a}电话永远打不通，沟通全靠等"),
        _t("The {a} was friendly and patient and resolved my issue in minutes|"
           "Quick reply on live chat, the {a} was really helpful|"
           "The {a} and {b} were professional, great attitude|"
           "The rep called me back as promised, excellent {a}|"
           "The {a} got back to me in minutes, quick response|"
           "I waited just two minutes before the {a} picked up"),
        _t("The {a} was rude and kept ignoring my questions|"
           "On hold for 45 minutes and then the chatbot hung up, terrible {a}|"
           "My ticket was escalated three times and nobody owns it, the {a} is useless|"
           "No callback from the manager, the {a} and {b} are a joke|"
           "I waited a week for a response, the {a} ignored every email|"
           "The {a} kept asking the same questions, zero response"),
        _t("#客服#|#服务态度#|#吐槽#"), _t("#customerservice|#support|#fail"),
        (),
    ),
    Interest(
        "price", "price / discounts",
        _t("价格|优惠|折扣|~便宜|优惠券|满减|性价比|~划算|~降价|活动|~双十一|~原价|到手价|~保价|"
           "~差价|秒杀|促销|会员价|~省钱|~价位|~红包|~凑单"),
        _t("price|discount|deal|~cheap|~expensive|coupon|sale|~value for money|bargain|price drop|"
           "promo code|~worth it|~overpriced|~price match|black friday|~budget|~savings|clearance|"
           "~full price|voucher|cashback|~affordable"),
        _t("{a}真划算，叠加优惠券到手价不到原价一半|性价比超高，{a}活动时囤了好几件|"
           "满减加红包，{a}和{b}都很给力|这个价位能买到这质量，{a}很值|"
           "{a}和双十一一个价，很划算|用了会员价和红包，{a}省钱不少"),
        _t("刚买完就降价，{a}保价还不给补差价|{a}虚高，先涨价再打折|"
           "原价买的，第二天{a}秒杀便宜了一百块|{a}和{b}都是套路，凑单凑到头疼|"
           "{a}价位偏高，不值这个价|说是保价，{a}差价申请了也不给"),
        _t("Great {a}, with the coupon it was half the full price|"
           "Amazing value for money, stocked up during the {a}|"
           "Used a promo code plus cashback, the {a} and {b} were a steal|"
           "Affordable and good quality for this price, the {a} is worth it|"
           "Great {a} and cheaper than anywhere else, real savings|"
           "The {a} saved me a lot compared to other shops"),
        _t("The price dropped right after I bought it and they refused a price match|"
           "Totally overpriced, the {a} is fake, they raise prices before the sale|"
           "Paid full price and the next day the {a} was 30 percent off|"
           "The {a} and {b} are gimmicks, the coupon never applied|"
           "Too expensive for what it is, the {a} is a joke|"
           "No savings at all, the {a} costs the same as full price"),
        _t("#省钱攻略#|#双十一#|#薅羊毛#"), _t("#deals|#sale|#budgetshopping"),
        (),
    ),
    Interest(
        "camera", "camera / photos",
        _t("拍照|相机|镜头|像素|夜景|~对焦|画质|~清晰|自拍|广角|~变焦|防抖|录像|成像|~色彩|~人像|"
           "微距|~照片|拍摄|~模糊|~噪点|~美颜|长焦"),
        _t("camera|photos|lens|~megapixel|night mode|~focus|image quality|~sharp|selfie|"
           "wide angle|zoom|stabilization|video|portrait|~colors|~blurry|~noise|~low light|~shots|"
           "~pictures|macro|telephoto|shutter|hdr"),
        _t("{a}效果惊艳，夜景照片很干净|{a}对焦快，拍娃再也不糊了|"
           "长焦变焦很清楚，{a}和{b}都超出预期|人像模式色彩自然，{a}很出片|"
           "{a}像素很高，照片放大也很清晰|{a}拍出来清晰锐利，色彩还原好"),
        _t("{a}一般，暗光下噪点很多|{a}对焦慢，拍出来的照片模糊|"
           "录像防抖很差，{a}和{b}都不如上一代|自拍美颜太假，{a}色彩偏黄|"
           "说是一亿像素，{a}拍出来一点都不清晰|{a}照片糊成一片，清晰度太差"),
        _t("The {a} is stunning, night mode shots are crisp and clean|"
           "Fast focus and sharp pictures, the {a} is great for kids|"
           "The telephoto zoom is impressive, the {a} and {b} beat my old phone|"
           "Portrait mode colors look natural, love the {a}|"
           "The {a} has plenty of megapixels and crops stay sharp|"
           "Crisp shots even indoors, the {a} is excellent"),
        _t("The {a} is mediocre, lots of noise in low light|"
           "Focus is slow and half my photos are blurry, the {a} disappoints|"
           "Video stabilization is shaky, the {a} and {b} are worse than last year|"
           "Selfie colors look washed out, the {a} over-processes everything|"
           "So many megapixels yet the {a} shots are soft|"
           "The {a} struggles indoors, pictures come out grainy"),
        _t("#手机摄影#|#随手拍#|#夜景#"), _t("#photography|#shotonphone|#nightmode"),
        (("X9 Pro 手机", 1999, 3999), ("微单相机 Z50", 4299, 6999), ("运动相机 Go 4", 1499, 2599),
         ("手机广角镜头夹", 59, 159)),
    ),
    Interest(
        "baby", "baby products",
        _t("~宝宝|奶粉|尿不湿|纸尿裤|~婴儿|奶瓶|辅食|~红屁屁|~宝妈|~新生儿|~月龄|吸奶器|湿巾|"
           "安抚奶嘴|推车|~哄睡|~吐奶|~胀气|~母婴|~喂奶|~孩子"),
        _t("~baby|formula|diapers|nappies|~infant|bottle|~newborn|~toddler|wipes|stroller|"
           "pacifier|~diaper rash|breast pump|crib|onesie|~teething|~feeding|~burp|~colic|"
           "car seat|sippy cup"),
        _t("{a}很柔软，宝宝用了没有红屁屁|换了这款{a}，宝宝不吐奶也不胀气了|"
           "{a}和{b}都很好用，新手宝妈很省心|推车轻便好收，带娃出门方便，{a}也很好用|"
           "孩子三个月龄，{a}用起来很顺手|{a}好用，喂奶哄睡都轻松了"),
        _t("{a}用了两天宝宝就起了红屁屁|奶粉一冲就结块，宝宝喝完胀气哭闹，{a}也不好用|"
           "奶瓶漏水，{a}和{b}都不合格|{a}有一股怪味，不敢给新生儿用|"
           "孩子用了{a}一直哭闹，哄睡都难|{a}月龄标注不对，喂奶时总是呛到"),
        _t("Really soft {a}, my baby has had no diaper rash since|"
           "Switched formula and my newborn stopped spitting up, the {a} is great|"
           "The {a} and {b} make life easier for a new parent|"
           "Light stroller that folds in one hand, the {a} is perfect for trips|"
           "My toddler loves the {a}, no more mess at feeding time|"
           "Teething baby was calm with the {a}, a lifesaver"),
        _t("My baby got a diaper rash after two days with these {a}|"
           "The formula clumps and my infant gets colic after every feeding, the {a} is a letdown|"
           "The bottle leaks everywhere, the {a} and {b} feel cheap|"
           "The {a} smells of chemicals, I won't use them on a newborn|"
           "My toddler hates the {a}, teething nights are worse|"
           "The {a} makes my baby burp and cry after every feeding"),
        _t("#育儿#|#宝妈日常#|#母婴好物#"), _t("#momlife|#newborn|#babyessentials"),
        (("婴儿纸尿裤 L码", 99, 199), ("一段婴儿奶粉 800g", 198, 368), ("宽口径奶瓶", 69, 139),
         ("轻便婴儿推车", 399, 1299), ("婴儿湿巾 80抽", 29, 59)),
    ),
)

INTEREST_NAMES: tuple[str, ...] = tuple(i.name for i in INTERESTS)
