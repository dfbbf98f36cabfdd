"""Recurring problems: find problem statements, cluster them, name and count them, sort new batches into them.

``ProblemService`` is what the command line and the HTTP API call; see ``problem_service`` for the flow.
"""

from service.problems.batch_input import BatchFileError, read_batch
from service.problems.clustering import ClusteringParameters
from service.problems.problem_export import write_assignments_csv, write_chart, write_problems_csv
from service.problems.problem_records import Assignment, Example, Problem, ProblemReport
from service.problems.problem_service import ProblemAnalysis, ProblemNotFoundError, ProblemService

__all__ = [
    "Assignment",
    "BatchFileError",
    "ClusteringParameters",
    "Example",
    "Problem",
    "ProblemAnalysis",
    "ProblemNotFoundError",
    "ProblemReport",
    "ProblemService",
    "read_batch",
    "write_assignments_csv",
    "write_chart",
    "write_problems_csv",
]
