from django.core.management.base import CommandError

from core.errors import UserError
from core.management.job_command import JobCommand
from segmentation.ml import ALGORITHMS
from segmentation.models import SegmentationRun
from segmentation.selectors import run_feature_lines, run_segments
from segmentation.services import customers_recluster


class Command(JobCommand):
    help = ("Re-cluster every customer into segments and make the result current; prints the chosen k, the "
            "quality metrics per k, the segments with their personas, churn since the previous run, the fields "
            "clustered on, and a warning when the clustering is weak.")

    def add_arguments(self, parser):
        parser.add_argument("--k", type=int, default=None, help="fixed number of segments (default: chosen 2-8)")
        parser.add_argument("--algorithm", choices=ALGORITHMS, default="kmeans")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--features", default=None,
            help="comma-separated features, customer fields or custom attributes (key or column header) to "
                 "cluster on, e.g. income,age,spending_score_1_100 (default: every usable field and attribute)")

    def handle(self, *args, **options):
        features = options["features"].split(",") if options["features"] is not None else None
        try:
            run = customers_recluster(algorithm=options["algorithm"], k=options["k"], seed=options["seed"],
                                      features=features)
        except UserError as exc:
            raise CommandError(f"re-cluster refused: {exc}") from exc
        except Exception as exc:
            raise CommandError(
                f"re-cluster failed ({type(exc).__name__}: {exc}); the previous segmentation stays current"
            ) from exc
        self._print_run(run)

    def _print_run(self, run: SegmentationRun) -> None:
        out = self.stdout
        out.write(f"segmentation run #{run.pk} ({run.algorithm}): k = {run.chosen_k}, "
                  f"{run.n_customers:,} customers, {run.n_unsegmented:,} unsegmented")
        out.write(f"{'':2}{'k':>3}  {'silhouette':>10}  {'calinski_harabasz':>17}  {'davies_bouldin':>14}")
        for metrics in run.metrics:
            marker = "*" if metrics["k"] == run.chosen_k else " "
            out.write(f"{marker:2}{metrics['k']:>3}  {_number(metrics['silhouette'], 4):>10}  "
                      f"{_number(metrics['calinski_harabasz'], 1):>17}  {_number(metrics['davies_bouldin'], 3):>14}")
        out.write(f"{'key':>5}  {'persona':<14}  {'customers':>10}  {'share':>6}  label")
        for segment in run_segments(run=run):
            out.write(f"{segment.key:>5}  {segment.persona or '-':<14}  {segment.size:>10,}  {segment.share:>6.1%}  "
                      f"{segment.label}")
        churn = "none (first run)" if run.churn is None else f"{run.churn:.1%} of customers changed segment"
        out.write(f"churn since the previous run: {churn}")
        for line in run_feature_lines(run):
            out.write(line)
        if run.params.get("persona_note"):
            out.write(run.params["persona_note"])
        if run.params.get("warning"):
            out.write(self.style.WARNING(run.params["warning"]))
        out.write(self.style.SUCCESS(f"run #{run.pk} is now current"))


def _number(value: float | None, decimals: int) -> str:
    return "-" if value is None else f"{value:,.{decimals}f}"
