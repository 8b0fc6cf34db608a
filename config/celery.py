"""Celery application. With REDIS_URL unset, settings make every task run in-process (eager)."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("campaign_engine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
