"""Bench-only settings for bench/api_load.py: the project's settings with the floor views' URLconf."""
from config.settings import *  # noqa: F403 - the bench runs the project exactly as configured, plus two URLs

ROOT_URLCONF = "api_load_floor"
