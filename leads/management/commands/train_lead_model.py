from django.core.management.base import CommandError

from core.errors import UserError
from core.management.job_command import JobCommand
from leads.services import lead_model_train


class Command(JobCommand):
    help = "Train lead-scoring candidates on every lead with a known outcome; print their metrics and the champion decision."

    def handle(self, *args, **options):
        try:
            model = lead_model_train()
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
