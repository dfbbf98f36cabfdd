"""Recurring problems: find problem statements, cluster them, name and count them, sort new batches into them.

``ProblemService`` forms problems and ``problem_listing`` reads the saved ones; see ``problem_service`` for the flow.
"""

from service.problems.batch_input import BatchInputError, items_from_records, read_batch
from service.problems.clustering import ClusteringParameters
from service.problems.problem_export import write_assignments_csv, write_chart, write_problems_csv
from service.problems.problem_listing import ProblemNotFoundError, get_problem, list_problems
from service.problems.problem_records import Assignment, Example, Problem, ProblemReport
from service.problems.problem_service import ProblemAnalysis, ProblemService

__all__ = [
    "Assignment",
    "BatchInputError",
    "ClusteringParameters",
    "Example",
    "Problem",
    "ProblemAnalysis",
    "ProblemNotFoundError",
    "ProblemReport",
    "ProblemService",
    "get_problem",
    "items_from_records",
    "list_problems",
    "read_batch",
    "write_assignments_csv",
    "write_chart",
    "write_problems_csv",
]
