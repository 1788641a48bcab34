"""Rule 7 of the special inspection: the website's content suits its entity and approvals.

The seeds name three inaccuracies: a personal filing used for an organisation's site,
an organisation whose content category does not match its nature, and content that
needs a pre-approval (前置审批) filed without one. A website whose name or domains
signal regulated content while it is filed as something else is shown as a warning.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from filings.choices import (
    PERSONAL_CATEGORIES,
    REGULATED_CATEGORIES,
    ApplicationKind,
    ContentCategory,
    EntityType,
)
from inspections.rules.base import Outcome, Rule, register
from inspections.rules.outcomes import Problem, combine
from inspections.snapshot.parts import APPLICATION, Snapshot, WebsiteSnapshot

try:
    import idna
except ImportError:  # pragma: no cover - idna comes with requests and dnspython
    idna = None

Category = ContentCategory
Kind = ApplicationKind
# Applications that end a filing: judging the content they are about to remove helps nobody.
_ENDING_KINDS = frozenset({Kind.CANCEL_ACCESS, Kind.DEREGISTER_WEBSITE, Kind.DEREGISTER_ENTITY})

# Content an organisation of a type may not host (individuals: PERSONAL_CATEGORIES).
# Government-affairs content is the state's own voice: only government bodies and the
# public institutions they run publish it. State organs and military units may not run
# businesses (the Party and State Council ban on organs running enterprises; the
# army's end of paid services), so shops, games and ride-hailing on their filings mean
# the filing belongs to someone else. Keep this table short and certain: a row here
# opens a rectification case for every matching website.
_COMMERCIAL = frozenset({Category.ECOMMERCE, Category.GAMES, Category.RIDE_HAILING})
DISALLOWED_CONTENT: dict[str, frozenset[str]] = {
    EntityType.GOVERNMENT: _COMMERCIAL,
    EntityType.PUBLIC_INSTITUTION: frozenset(),
    EntityType.ENTERPRISE: frozenset({Category.GOVERNMENT_AFFAIRS}),
    EntityType.SOCIAL_ORGANISATION: frozenset({Category.GOVERNMENT_AFFAIRS}),
    EntityType.PRIVATE_NON_ENTERPRISE: frozenset({Category.GOVERNMENT_AFFAIRS}),
    EntityType.FOUNDATION: frozenset({Category.GOVERNMENT_AFFAIRS}),
    EntityType.LAW_FIRM: frozenset({Category.GOVERNMENT_AFFAIRS}),
    EntityType.MEDICAL_INSTITUTION: frozenset({Category.GOVERNMENT_AFFAIRS}),
    EntityType.NOTARY_OFFICE: frozenset({Category.GOVERNMENT_AFFAIRS}),
    EntityType.MILITARY: _COMMERCIAL | {Category.GOVERNMENT_AFFAIRS},
    EntityType.FOREIGN_OFFICE: frozenset({Category.GOVERNMENT_AFFAIRS}),
}

# Words in a website's name or domains that signal regulated content. A signal is not
# proof ("文化" is in many names), so it only warns. Short English words that hide
# inside others must stand alone ("tv" in "abc-tv.com", not in "cctv"; "ride", not "pride").
SIGNAL_KEYWORDS: dict[str, tuple[str, ...]] = {
    Category.NEWS: ("新闻", "资讯", "快讯", "news"),
    Category.PUBLISHING: ("出版", "期刊", "publish"),
    Category.PHARMA_MEDICAL: ("医药", "药", "医疗", "pharma", "medical", "drug"),
    Category.CULTURE: ("文化", "演出", "动漫", "culture"),
    Category.RADIO_FILM_TV: (
        "影视",
        "视频",
        "直播",
        "电影",
        "电视",
        "video",
        "movie",
        "film",
        "tv",
    ),
    Category.RIDE_HAILING: ("网约车", "打车", "约车", "taxi", "ride"),
    Category.GAMES: ("游戏", "手游", "game"),
    Category.FINANCE: ("金融", "理财", "贷", "证券", "保险", "支付", "finance", "loan"),
}


_WHOLE_WORDS = frozenset({"tv", "ride"})


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    if keyword in _WHOLE_WORDS:
        return re.compile(rf"(?<![a-z0-9]){re.escape(keyword)}(?![a-z0-9])")
    return re.compile(re.escape(keyword))


_SIGNALS = [
    (category, keyword, _keyword_pattern(keyword))
    for category, keywords in SIGNAL_KEYWORDS.items()
    for keyword in keywords
]


def _readable_domain(name: str) -> str:
    """An IDNA domain as its Unicode text, so Chinese keywords can match it."""
    if idna is None or "xn--" not in name:
        return name.lower()
    try:
        return idna.decode(name).lower()
    except UnicodeError:  # idna.IDNAError is one
        return name.lower()


def _label(value: str) -> str:
    try:
        return str(Category(value).label)
    except ValueError:
        return value


def _approved(website: WebsiteSnapshot) -> list[dict[str, str]]:
    """The pre-approvals that carry a number."""
    return [
        {"category": p.category, "number": p.number, "issuer": p.issuer}
        for p in website.pre_approvals
        if p.number.strip()
    ]


@register
class ContentConsistency(Rule):
    """Rule 7: the content category suits the entity type and carries its pre-approval."""

    code = "content_consistency"
    version = 1
    title = _("Content consistency")
    fix_text = _(
        "File the website under the content category it really has. A personal filing may "
        "only host a personal blog or showcase: an organisation's site needs the "
        "organisation's own filing. Content such as news, publishing, medicine, culture, "
        "film and TV, ride-hailing, games or finance needs the approval of its authority: "
        "add the approval number to the website, or remove that content."
    )
    legal_basis = (
        "《互联网信息服务管理办法》第五条; 《非经营性互联网信息服务备案管理办法》第九条; "
        "MIIT notice on the special inspection of filing information"
    )

    def check(self, snapshot: Snapshot) -> Outcome:
        application = snapshot.source == APPLICATION
        website, entity = snapshot.website, snapshot.entity
        if application and snapshot.application_kind in _ENDING_KINDS:
            return self.not_applicable(gettext("This application ends the filing."))
        if application and not (website.content_category or website.name or snapshot.domains):
            return self.not_applicable(gettext("The website has not been entered yet."))
        category = website.content_category
        approvals = _approved(website)
        problems: list[Problem] = []
        if not category:
            if not application:  # a draft's blank field: the completeness check reports it
                message = gettext("The website has no content category on file.")
                problems.append(Problem("category_missing", message, _CATEGORY))
        elif entity.entity_type == EntityType.INDIVIDUAL:
            problems += self._personal(category)
        elif category in DISALLOWED_CONTENT.get(entity.entity_type, ()):
            # Blocking: "the entity type does not match the content type" (seeds).
            message = gettext(
                "An entity of type “%(entity_type)s” may not host content of the category "
                "“%(category)s”, as this website is filed."
            ) % {"entity_type": _entity_label(entity.entity_type), "category": _label(category)}
            problems.append(Problem("category_not_for_entity_type", message, _CATEGORY))
        personal_misfit = bool(problems) and entity.entity_type == EntityType.INDIVIDUAL
        if category in REGULATED_CATEGORIES and not personal_misfit:
            problems += self._pre_approval(category, approvals)
        for approval in approvals:
            if approval["category"] and approval["category"] != category:
                # Warning: a site may hold several approvals; a stray one suggests the
                # category was chosen wrongly, which staff should look at, not proof.
                message = gettext(
                    "The pre-approval %(number)s is for %(approved)s, but the website is "
                    "filed as %(category)s."
                ) % {
                    "number": approval["number"],
                    "approved": _label(approval["category"]),
                    "category": _label(category) or "-",
                }
                problems.append(
                    Problem("pre_approval_category_mismatch", message, _APPROVALS, "warning")
                )
        signals = self._signals(snapshot)
        if signals and category not in REGULATED_CATEGORIES and not approvals:
            problems += self._signal_problems(signals)
        evidence: dict[str, Any] = {
            "entity_type": entity.entity_type,
            "content_category": category,
            "regulated": category in REGULATED_CATEGORIES,
            "pre_approvals": approvals,
            "signals": signals,
        }
        return combine(self, problems, evidence)

    def _personal(self, category: str) -> list[Problem]:
        if category in PERSONAL_CATEGORIES:
            return []
        # Blocking: "personal filing used for an organisation's site" (seeds).
        message = gettext(
            "A personal filing may only host a personal blog or showcase; this website is "
            "filed as %(category)s."
        ) % {"category": _label(category)}
        return [Problem("personal_filing_content", message, _CATEGORY)]

    def _pre_approval(self, category: str, approvals: list[dict[str, str]]) -> list[Problem]:
        if any(a["category"] == category for a in approvals):
            return []
        # Blocking: regulated content may not be filed without its approval (第五条).
        message = gettext(
            "Content of the category %(category)s needs a pre-approval, and the website "
            "lists no approval number for it."
        ) % {"category": _label(category)}
        return [Problem("pre_approval_missing", message, _APPROVALS)]

    def _signals(self, snapshot: Snapshot) -> list[dict[str, str]]:
        """Every regulated-content keyword in the website's name and domain names."""
        places = [("website.name", snapshot.website.name.lower())]
        places += [
            (f"domains.{index}.name", _readable_domain(domain.name))
            for index, domain in enumerate(snapshot.domains)
        ]
        return [
            {"category": category, "keyword": keyword, "field": field, "text": text}
            for field, text in places
            if text
            for category, keyword, pattern in _SIGNALS
            if pattern.search(text)
        ]

    def _signal_problems(self, signals: list[dict[str, str]]) -> list[Problem]:
        """One warning per signalled category, naming its first keyword."""
        first: dict[str, dict[str, str]] = {}
        for signal in signals:
            first.setdefault(signal["category"], signal)
        problems = []
        for category, signal in first.items():
            message = gettext(
                "“%(text)s” contains “%(keyword)s”, which suggests %(category)s content; "
                "such content needs a pre-approval, or file the website under its real "
                "category."
            ) % {"text": signal["text"], "keyword": signal["keyword"], "category": _label(category)}
            problems.append(
                Problem("regulated_content_signal", message, signal["field"], "warning")
            )
        return problems


_CATEGORY = "website.content_category"
_APPROVALS = "website.pre_approvals"


def _entity_label(value: str) -> str:
    try:
        return str(EntityType(value).label)
    except ValueError:
        return value
