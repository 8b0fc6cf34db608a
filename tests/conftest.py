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
