"""A problem's brief: the start of an analytical note about one recurring problem, every quotation cited."""

from service.briefs.brief_report import brief_report, brief_title
from service.briefs.problem_brief import PartnerQuote, ProblemBrief, build_brief

BRIEF_FORMATS = ("docx", "markdown", "json")

__all__ = ["BRIEF_FORMATS", "PartnerQuote", "ProblemBrief", "brief_report", "brief_title", "build_brief"]
