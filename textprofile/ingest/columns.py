"""Map export headers onto the comment fields, from common English/Chinese names or explicit flags."""

from __future__ import annotations

import re
from dataclasses import dataclass

from textprofile.core.errors import ColumnError, ConfigError

# field -> (CLI flag, header aliases in priority order; compared after _norm)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "customer_id": ("--customer-col", (
        "customer_id", "customerid", "customer", "cust_id", "user_id", "userid", "user", "uid",
        "reviewerid", "reviewer_id", "author_id", "authorid", "author", "member_id", "buyer_id",
        "client_id", "account_id", "用户id", "用户编号", "客户编号", "客户id", "客户", "用户",
        "会员id", "会员编号", "买家id", "顾客id", "用户名",
    )),
    "text": ("--text-col", (
        "text", "review", "reviewtext", "review_text", "review_body", "content", "comment",
        "comment_text", "comments", "body", "message", "msg", "post", "tweet", "utterance",
        "评论内容", "内容", "评论", "评价内容", "评价", "文本", "留言", "消息", "正文", "回复内容",
    )),
    "time": ("--time-col", (
        "time", "date", "datetime", "timestamp", "created_at", "createdat", "created", "created_time",
        "create_time", "unixreviewtime", "review_date", "comment_time", "post_time", "sent_at",
        "时间", "评论时间", "日期", "创建时间", "发布时间", "评价时间", "下单时间", "发送时间",
    )),
    "channel": ("--channel-col", ("channel", "platform", "渠道", "平台", "来源渠道")),
    "rating": ("--rating-col", ("rating", "stars", "star", "score", "overall", "review_rating",
                                "评分", "星级", "打分", "评级")),
    "amount": ("--amount-col", ("amount", "order_amount", "price", "total", "order_total", "spend",
                                "金额", "订单金额", "价格", "消费金额", "实付金额")),
    "role": ("--role-col", ("role", "speaker", "sender_role", "sender_type", "speaker_role",
                            "角色", "发送方", "说话人")),
    "thread_id": ("--thread-col", ("thread_id", "threadid", "thread", "conversation_id",
                                   "conversationid", "session_id", "ticket_id", "chat_id",
                                   "会话id", "对话id", "会话编号", "工单号")),
}
_CONFIG_ATTR = {
    "customer_id": "customer_col", "text": "text_col", "time": "time_col", "channel": "channel_col",
    "rating": "rating_col", "amount": "amount_col", "role": "role_col", "thread_id": "thread_col",
}


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", str(name).strip().lstrip("\ufeff").lower())


def resolve_mapping(columns: list[str], config, file: str) -> dict[str, str]:
    """``{field: column}`` for this file's columns; explicit ``*_col`` settings win over aliases.

    Raises ColumnError when an explicit column is absent or a required one cannot be found.
    """
    found = ", ".join(columns) or "(none)"
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field, (flag, _) in FIELDS.items():
        explicit = getattr(config, _CONFIG_ATTR[field])
        if explicit is None:
            continue
        col = explicit if explicit in columns else by_norm.get(_norm(explicit))
        if col is None:
            raise ColumnError(f"{file}: column {explicit!r} ({flag}) not found; columns are: {found}")
        mapping[field] = col
        used.add(col)
    for field, (flag, aliases) in FIELDS.items():
        if field in mapping or (field == "channel" and config.channel):
            continue
        if field == "customer_id" and config.row_as_customer:
            continue
        for alias in aliases:
            col = by_norm.get(_norm(alias))
            if col is not None and col not in used:
                mapping[field] = col
                used.add(col)
                break
    if "text" not in mapping:
        raise ColumnError(f"{file}: no text column found; columns are: {found} — pass --text-col COLUMN")
    if "customer_id" not in mapping and not config.row_as_customer:
        raise ColumnError(
            f"{file}: no customer id column found; columns are: {found} — pass --customer-col COLUMN, "
            "or --row-as-customer if the export has none"
        )
    return mapping


@dataclass(frozen=True)
class CustomerFilter:
    """``COLUMN=V1,V2`` keeps rows whose COLUMN is one of the values; ``COLUMN!=V`` the others.

    Values compare case-insensitively after trimming, so ``inbound=true`` matches ``True``.
    """

    column: str
    values: frozenset[str]
    negate: bool

    @classmethod
    def parse(cls, spec: str) -> CustomerFilter:
        m = re.match(r"^\s*([^!=]+?)\s*(!?=)\s*(.*)$", spec or "")
        if not m or not m.group(3).strip():
            raise ConfigError(
                f"invalid --customer-filter {spec!r}; use COLUMN=VALUE[,VALUE...] or COLUMN!=VALUE, "
                "e.g. --customer-filter inbound=True"
            )
        values = frozenset(v.strip().lower() for v in m.group(3).split(",") if v.strip())
        return cls(m.group(1), values, m.group(2) == "!=")

    def resolve_column(self, columns: list[str], file: str) -> str:
        if self.column in columns:
            return self.column
        for c in columns:
            if _norm(c) == _norm(self.column):
                return c
        raise ColumnError(
            f"{file}: --customer-filter column {self.column!r} not found; columns are: {', '.join(columns)}"
        )

    def describe(self) -> str:
        return f"{self.column}{'!=' if self.negate else '='}{','.join(sorted(self.values))}"
