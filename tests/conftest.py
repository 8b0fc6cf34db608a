import pytest

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def tasks_run_in_process(request, settings, tmp_path):
    """Tasks run in-process in tests unless a test starts a real worker (marker `real_worker`).
    Uploaded files and model artifacts go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.node.get_closest_marker("real_worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def trained_models(tmp_path_factory):
    from tests.factories import TrainedModels

    return TrainedModels(tmp_path_factory.mktemp("trained-models"))


@pytest.fixture
def generated_leads_with_champion(db, settings, trained_models):
    """800 generated leads, half of them open, and a champion trained on them with one small candidate (logistic
    regression): trained once per session, registered in each test (see TrainedModels)."""
    from leads.services import leads_import
    from operations.synthetic import generate_leads

    leads_import(source=generate_leads(800, seed=3, open_share=0.5).to_csv(index=False).encode(),
                 source_name="leads.csv")
    return trained_models.champion("generated-800", media_root=settings.MEDIA_ROOT,
                                   algorithms=("logistic_regression",))
