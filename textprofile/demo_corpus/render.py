"""Turn (interest, language, sentiment, channel) into comment text for the demo corpus."""

from __future__ import annotations

import random
import re

from textprofile.demo_corpus import phrases as P
from textprofile.demo_corpus import vocab as V

_SPACES = re.compile(r"\s+")
# no space between a Latin word and Chinese punctuation
_BEFORE_ZH_PUNCT = re.compile(r"\s+([，。！？、])")
_AFTER_ZH_PUNCT = re.compile(r"([，。！？、])\s+")


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text).strip()
    text = _BEFORE_ZH_PUNCT.sub(r"\1", text)
    return _AFTER_ZH_PUNCT.sub(r"\1", text)


def _lower_first(s: str) -> str:
    if s.startswith(("I ", "I'm ")):
        return s
    return s[:1].lower() + s[1:]


class Renderer:
    """Renders texts from the vocabulary using one ``random.Random`` instance."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    # ---- pieces -------------------------------------------------------------------------
    def product(self, interest: V.Interest) -> tuple[str, float, float]:
        return self.rng.choice(interest.products or P.ANY_PRODUCTS)

    def amount(self, lo: float, hi: float) -> float:
        return max(1.0, round(self.rng.uniform(lo, hi)) - self.rng.choice([0.0, 0.1, 0.01]))

    def _line(self, interest: V.Interest, lang: str, positive: bool, avoid: str = "") -> tuple[str, str]:
        """One interest-specific sentence and its template (pass it as ``avoid`` not to repeat it).

        ``mixed`` fills a Chinese line with English terms.
        """
        rng = self.rng
        base = "en" if lang == "en" else "zh"
        pool = getattr(interest, f"{base}_{'pos' if positive else 'neg'}")
        line = rng.choice([x for x in pool if x != avoid])
        if lang == "mixed":  # a Chinese line with English terms in it: "续航 battery life 不行"
            pairs = rng.sample(P.PAIRS[interest.name], 2)
            a = " ".join(pairs[0]) if rng.random() < 0.6 else pairs[0][1]
            b = f" {pairs[1][1]} " if rng.random() < 0.5 else pairs[1][0]
            a = f" {a} "
        else:
            a, b = rng.sample(interest.en_slots if lang == "en" else interest.zh_slots, 2)
        return line.format(a=a, b=b), line

    def _glue(self, interest: V.Interest, lang: str, positive: bool) -> str:
        """A short clause naming two more of the interest's terms."""
        rng = self.rng
        en = lang == "en"
        pool = (P.EN_GLUE_POS if positive else P.EN_GLUE_NEG) if en else (
            P.ZH_GLUE_POS if positive else P.ZH_GLUE_NEG)
        slots = interest.en_slots if en or (lang == "mixed" and rng.random() < 0.5) else interest.zh_slots
        a, b = rng.sample(slots, 2)
        return rng.choice(pool).format(a=a, b=b, e=self._eval("en" if en else "zh", positive))

    def _eval(self, lang: str, positive: bool) -> str:
        if lang == "en":
            return self.rng.choice(P.EN_EVAL_POS if positive else P.EN_EVAL_NEG)
        return self.rng.choice(P.ZH_EVAL_POS if positive else P.ZH_EVAL_NEG)

    def _compose(self, interest: V.Interest, others: list[V.Interest], lang: str, positive: bool,
                 product: str) -> str:
        """A full comment: the interest line in a shared template, sometimes with more lines."""
        rng = self.rng
        line, used = self._line(interest, lang, positive)
        parts = [line]
        if lang == "mixed" and rng.random() < 0.85:  # code-switching: an English sentence follows
            parts.append(_lower_first(self._line(interest, "en", positive)[0]))
        if rng.random() < 0.55:
            parts.append(self._line(interest, lang, positive, avoid=used)[0])
        if rng.random() < 0.7:
            parts.append(self._glue(interest, lang, positive))
        line = ". ".join(parts) if lang == "en" else "，".join(parts)
        if others and rng.random() < 0.1:
            side, _ = self._line(rng.choice(others), lang, rng.random() < 0.5)
            line = f"{line}. Also, {_lower_first(side)}" if lang == "en" else f"{line}。另外{side}"
        en = lang == "en"
        if en:
            product = P.PRODUCT_EN.get(product, product)
        templates = [t for t in (P.EN_TEMPLATES if en else P.ZH_TEMPLATES) if product or "{p}" not in t]
        if rng.random() < 0.5:  # half the comments are just what the customer has to say
            templates = [t for t in templates if not any(k in t for k in ("{f}", "{g}", "{p}"))]
        template = rng.choice(templates)
        terms = interest.en_slots if en else interest.zh_slots
        c = _lower_first(line) if en and not template.startswith("{c}") else line
        text = template.format(
            c=c, a=rng.choice(terms), e=self._eval(lang, positive), p=product,
            f=rng.choice(P.EN_FILLER if en else P.ZH_FILLER),
            g=rng.choice(P.EN_CLOSER if en else P.ZH_CLOSER),
        )
        if lang == "mixed" and not re.search(r"[A-Za-z]", text):
            text += " " + rng.choice(P.EN_EVAL_POS if positive else P.EN_EVAL_NEG)
        return _tidy(text)

    # ---- channels -----------------------------------------------------------------------
    def review(self, interest, others, lang, positive, product) -> str:
        if self.rng.random() < 0.03:  # a short comment with nothing to learn from
            return self.rng.choice(P.EN_GENERIC if lang == "en" else P.ZH_GENERIC)
        return self._compose(interest, others, lang, positive, product)

    def social(self, interest, others, lang, positive, product) -> str:
        rng = self.rng
        en = lang == "en"
        text = self._compose(interest, others, lang, positive, product if rng.random() < 0.5 else "")
        tags = [rng.choice(interest.en_tags if en else interest.zh_tags)]
        if rng.random() < 0.4:
            tags.append(rng.choice(P.EN_GENERIC_TAGS if en else P.ZH_GENERIC_TAGS))
        parts = [text, " ".join(tags)] if rng.random() < 0.7 else [" ".join(tags), text]
        if rng.random() < 0.45:
            parts.insert(0 if rng.random() < 0.3 else len(parts), rng.choice(P.MENTIONS))
        if rng.random() < 0.15:
            parts.append(f"https://t.example.com/{rng.randrange(16**6):06x}")
        if rng.random() < 0.25:
            parts.append(rng.choice(P.EMOJI))
        return _tidy(" ".join(parts))

    def chat(self, interest: V.Interest, lang: str) -> list[tuple[str, str]]:
        """Turns (role, text) of one thread: customer complaint, agent replies, follow-up."""
        rng = self.rng
        en = lang == "en"
        agent_en = en or (lang == "mixed" and rng.random() < 0.5)
        agents = list(P.EN_AGENT if agent_en else P.ZH_AGENT)
        positive = rng.random() < 0.2
        first, used = self._line(interest, lang, positive)
        if rng.random() < 0.4:
            opener = rng.choice(P.EN_CHAT_OPEN if en else P.ZH_CHAT_OPEN)
            first = f"{opener}, {_lower_first(first)}" if en else f"{opener}，{first}"
        turns = [("customer", _tidy(first)),
                 ("agent", agents[rng.choice([1, 2])])]
        if rng.random() < 0.8:
            follow, _ = self._line(interest, lang, positive, avoid=used)
            turns += [("customer", _tidy(follow)), ("agent", agents[rng.choice([3, 5, 6])])]
        if rng.random() < 0.25:
            turns += [("customer", rng.choice(P.EN_CHAT_ACK if en else P.ZH_CHAT_ACK)),
                      ("agent", agents[rng.choice([4, 7])])]
        return turns
