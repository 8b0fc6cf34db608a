"""Demo data and demo users for `make run`."""
from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core.models import JobRun
from core.roles import ADMIN, ANALYST, MARKETER, SALES_REP
from leads.models import SalesRep

DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    ("marketer", MARKETER, True),
    ("rep1", SALES_REP, True),
    ("rep2", SALES_REP, True),
    ("analyst", ANALYST, True),
    ("admin", ADMIN, True),
]
REAL_LAYOUT = {
    "customers": ("customer_personality/marketing_campaign.csv", "customers.csv"),
    "leads": ("extraalearn/leads_train.csv", "leads.csv"),
    "responses": ("personalisation/Data.csv", "personalisation/Data.xlsx", "responses.csv"),
}


def demo_data_files(*, data_dir: str, seed: int, out_dir: Path) -> dict[str, Path]:
    """Real files from `data_dir` when given, else freshly generated synthetic files in `out_dir`."""
    if data_dir:
        root = Path(data_dir)
        files = {}
        for name, candidates in REAL_LAYOUT.items():
            found = next((root / c for c in candidates if (root / c).is_file()), None)
            if found is None:
                raise FileNotFoundError(f"{root} has none of {', '.join(candidates)}")
            files[name] = found
        return files
    from operations.synthetic import write_dataset

    out_dir.mkdir(parents=True, exist_ok=True)
    return write_dataset(out_dir, customers=5000, leads=3000, responses=20000, seed=seed, open_share=0.25)


@transaction.atomic
def demo_users_ensure() -> list[str]:
    """Create (or reset the password of) the demo users; returns lines to print."""
    User = get_user_model()
    lines = [f"demo users (password '{DEMO_PASSWORD}'):"]
    for username, role, staff in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        user.is_staff = staff
        user.is_superuser = role == ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        if role == SALES_REP:
            SalesRep.objects.get_or_create(user=user, defaults={"capacity": 200})
        lines.append(f"  {username:<9} role {role}")
    return lines


def job_label(job: JobRun) -> str:
    """A job's number with its kind beside it: every kind shares one numbering, so the first nightly run of a
    fresh demo is job #5, after the three imports and the training."""
    return f"job #{job.pk} · {job.get_kind_display().lower()}"


def nightly_step_jobs(job: JobRun) -> list[JobRun]:
    """The job runs a nightly run started for its steps, in order."""
    if job.started_at is None:
        return []
    steps = JobRun.objects.filter(trigger=JobRun.Trigger.CHAIN, created_at__gte=job.started_at).exclude(pk=job.pk)
    if job.finished_at is not None:
        steps = steps.filter(created_at__lte=job.finished_at)
    return list(steps.order_by("created_at", "id"))
