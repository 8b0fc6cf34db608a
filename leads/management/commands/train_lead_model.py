from django.core.management.base import CommandError

from core.errors import UserError
from core.management.job_command import JobCommand
from leads.services import lead_model_train


class Command(JobCommand):
    help = ("Train lead-scoring candidates on every lead with a known outcome; print the columns used and left out, "
            "their metrics and the champion decision.")

    def add_arguments(self, parser):
        parser.add_argument("--keep-column", action="append", default=[], metavar="LABEL", dest="keep_columns",
                            help="use this column even if it is flagged as likely leakage (repeatable)")

    def handle(self, *args, **options):
        try:
            model = lead_model_train(keep_columns=tuple(options["keep_columns"]))
        except UserError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{'candidate':<26}{'CV ROC AUC':>11}{'held-out AUC':>14}{'PR AUC':>8}{'Brier':>8}{'log loss':>10}")
        for name, m in model.metrics.get("candidates", {}).items():
            held = m.get("holdout", {})
            self.stdout.write(f"{name:<26}{m.get('cv_roc_auc_mean', m.get('cv_roc_auc', 0)):>11.4f}"
                              f"{held.get('roc_auc', 0):>14.4f}{held.get('pr_auc', 0):>8.4f}"
                              f"{held.get('brier', 0):>8.4f}{held.get('log_loss', 0):>10.4f}")
        self.stdout.write(f"model v{model.version} ({model.algorithm}); champion: {model.is_champion}")
        self.stdout.write(model.decision)
        self._features(model.metrics.get("features", {}))

    def _features(self, report: dict) -> None:
        used = report.get("used", [])
        self.stdout.write(f"features used ({len(used)}): "
                          + ", ".join(f"{column['label']} ({column['kind']})" for column in used))
        if report.get("reference_date"):
            self.stdout.write(f"dates are read as days before {report['reference_date']}")
        for column in used:
            if column.get("grouped"):
                self.stdout.write(f"  {column['label']}: {len(column['grouped'])} rare value(s) read as 'other'")
        for item in report.get("kept", []):
            self.stdout.write(f"kept despite a leakage flag: {item['text']}")
        for item in report.get("left_out", []):
            hint = f" (keep it with --keep-column \"{item['label']}\")" if item["reason"] == "leakage" else ""
            self.stdout.write(f"left out, {item['reason']}: {item['text']}{hint}")
