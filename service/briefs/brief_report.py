"""A ``ProblemBrief`` as a report in Ukrainian, the start of an analytical note: the problem's name and
recurrence (with its monthly chart), its typical statements, the governing law, similar proposals, earlier
cases and partner hromadas. Quotations come in the order of ``ProblemBrief.quoted`` (their footnotes' order).
"""

from __future__ import annotations

from service.briefs.problem_brief import PartnerQuote, ProblemBrief
from service.excerpts import Excerpt
from service.precedents.partner_finder import SAME_PROBLEM, SHARED_GOALS
from service.problems.recurrence import MIN_TREND_MONTHS, MIN_TREND_STATEMENTS
from service.report_document import Block, CitedReport, Facts, Figure, Heading, Quotation, ReportTitle, Text
from service.ukrainian_dates import iso_day_text, short_month

DESCRIPTION = (
    "Довідка про повторювану проблему: повторюваність, типові висловлювання, нормативна база, подібні "
    "проєкти, попередні випадки й громади-партнери, з посиланнями на джерела (hromada)."
)
TREND_TEST = (
    "Динаміку визначає тест Манна–Кендалла: чи змінюється від місяця до місяця частка проблеми серед усіх "
    "висловлювань місяця (двобічний, рівень значущості 0,05). Місяці — від першої згадки до останнього "
    "місяця збірки; перший місяць не перевіряється."
)
KIND_NAMES = {
    "legislation": "законодавство",
    "transcript": "стенограми",
    "proposal": "проєктні пропозиції",
    "appeal": "звернення громадян",
    "note": "записки та інші документи",
}
HROMADA_TYPES = {"urban": "міська громада", "settlement": "селищна громада", "rural": "сільська громада"}
MATCHES = {
    SAME_PROBLEM: "у стратегії названо ту саму проблему",
    SHARED_GOALS: "стратегія ставить ціль або проєкт проти цієї проблеми",
}


def brief_title(brief: ProblemBrief) -> str:
    return f"Довідка: «{brief.problem.label}»"


def brief_report(brief: ProblemBrief, title: ReportTitle) -> CitedReport:
    """The brief's blocks, in the order its excerpts are numbered."""
    problem = brief.problem
    blocks: list[Block] = [
        Text(
            "Проблему виділено автоматично з висловлювань у зверненнях, стенограмах, проєктних пропозиціях і "
            "записках, що є у сховищі; кожну цитату наведено дослівно з посиланням на джерело."
        ),
        *_filters_line(brief),
        Heading("Повторюваність"),
        _recurrence_facts(brief),
        *_chart(brief),
        Heading("Типові висловлювання"),
        *_quotations(brief.statements, "Висловлювань із документів сховища немає."),
        *[
            Text(f"«{example.item.text.strip()}» (запис {example.item.id} з пакета, поданого до hromada).")
            for example in brief.unsourced
        ],
        Heading("Нормативна база"),
        *_quotations(brief.legislation, "У сховищі не знайдено статей законів, що стосуються проблеми."),
        Heading("Подібні проєкти"),
        *_quotations(brief.proposals, "У сховищі не знайдено проєктів, що розв’язують подібну проблему."),
        Heading("Попередні випадки"),
        *_quotations(brief.cases, "Інших звернень чи виступів про цю проблему у сховищі не знайдено."),
        Heading("Громади-партнери"),
        *_partners(brief.partners),
    ]
    return CitedReport(title, blocks, DESCRIPTION, subject=problem.label, keywords=problem.keywords)


def _filters_line(brief: ProblemBrief) -> list[Block]:
    filters = brief.filters
    parts = [
        f"вид документів — {KIND_NAMES.get(filters.kind, filters.kind)}" if filters.kind else "",
        f"регіон — {filters.region}" if filters.region else "",
        f"від {iso_day_text(filters.since)}" if filters.since else "",
        f"до {iso_day_text(filters.until)}" if filters.until else "",
    ]
    chosen = [part for part in parts if part]
    return [Text(f"Враховано лише висловлювання: {'; '.join(chosen)}.")] if chosen else []


def _recurrence_facts(brief: ProblemBrief) -> Facts:
    recurrence = brief.problem.recurrence
    rows = [
        ("Згадок", str(recurrence.size)),
        ("Документів", str(recurrence.document_count)),
        ("Регіони", ", ".join(recurrence.regions) or "не вказано"),
        ("Уперше", iso_day_text(recurrence.first_seen) or "дата невідома"),
        ("Востаннє", iso_day_text(recurrence.last_seen) or "дата невідома"),
        ("Динаміка", _trend_text(brief)),
        ("Ключові слова", ", ".join(brief.problem.keywords)),
    ]
    return Facts(tuple((name, value) for name, value in rows if value))


def _trend_text(brief: ProblemBrief) -> str:
    trend = brief.problem.recurrence.trend
    word = trend.word
    if trend.direction == "unknown":
        return f"{word}: для тесту потрібно щонайменше {MIN_TREND_MONTHS} місяців і {MIN_TREND_STATEMENTS} згадок"
    if trend.p_value is None:
        return word
    return f"{word} (τ = {_decimal(trend.tau)}, p = {_decimal(trend.p_value)})"


def _decimal(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}".replace(".", ",")


def _chart(brief: ProblemBrief) -> list[Block]:
    months = brief.problem.recurrence.trend.months
    if brief.chart is None or not months:
        return []
    period = f"{short_month(months[0].month)} — {short_month(months[-1].month)}"
    counts = "; ".join(f"{short_month(month.month)} — {month.count}" for month in months)
    return [
        Figure(brief.chart, f"Рисунок 1. Згадки про проблему за місяцями ({period})", "chart.png"),
        Text(f"Згадок за місяцями: {counts}. {TREND_TEST}"),
    ]


def _quotations(excerpts: list[Excerpt], none_found: str) -> list[Block]:
    return [Quotation(excerpt) for excerpt in excerpts] or [Text(none_found)]


def _partners(partners: list[PartnerQuote]) -> list[Block]:
    if not partners:
        return [
            Text(
                "У сховищі немає стратегій громад, що називають цю проблему або ставлять цілі проти неї "
                "(стратегії додаються до сховища з набору hromada-strategy-collab)."
            )
        ]
    blocks: list[Block] = []
    for quote in partners:
        blocks += [Text(_partner_line(quote)), Quotation(quote.excerpt)]
    return blocks


def _partner_line(quote: PartnerQuote) -> str:
    """«Хотинська міська територіальна громада (Дністровський район, Чернівецька область; міська громада,
    8 123 жителі): у стратегії названо ту саму проблему; спільні слова: …»."""
    suggestion = quote.suggestion
    place = ", ".join(part for part in (suggestion.raion, suggestion.region) if part)
    about = [
        place,
        HROMADA_TYPES.get(suggestion.hromada_type or "", ""),
        f"населення {suggestion.population:,}".replace(",", "\u00a0") if suggestion.population else "",
    ]
    described = "; ".join(part for part in about if part)
    words = ", ".join(suggestion.evidence[0].shared_words)
    line = f"{suggestion.hromada}{f' ({described})' if described else ''}: {MATCHES[suggestion.match]}"
    return f"{line}; спільні слова: {words}." if words else f"{line}."
