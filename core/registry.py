"""What the apps register with core so that core dispatches to them without naming one: job kinds and schedules.

Core is the ground floor: it imports no app. Each app declares its job kinds (the value stored in
``JobRun.kind``, a label, the Celery task that runs it, the roles that may start it, the API's parameter
serializer, checks of its parameters) and its beat schedules from its ``AppConfig.ready()``; core's job machinery, the job API and the
admin read them from here. Import datasets register with ``core.import_runs.register_import`` the same way.

``JobRun.Kind`` is the kind registry: ``JobRun.Kind.RECLUSTER`` reads the kind an app registered under the name
``RECLUSTER`` (the stored value ``"recluster"``), so code that names a kind reads as before while core names none.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from core.errors import UserError


@dataclass(frozen=True)
class JobKind:
    """One kind of job run.

    ``task``: the Celery task ``job_enqueue`` sends (empty: not started through the job API, e.g. an import,
    which runs in the request that uploads the file). ``roles``: the roles that may start it (an import: the
    roles that may import that dataset). ``noun``: the word a command's progress line uses ("re-score").
    ``params``: the API's serializer of the job's parameters (core never looks inside it)."""

    value: str
    name: str
    label: str
    task: str = ""
    roles: frozenset[str] = frozenset()
    noun: str = ""
    params: type | None = None
    is_import: bool = False


class JobKinds:
    """The registered kinds, in registration order; attribute access by name (``JobKinds().RECLUSTER``)."""

    def __init__(self) -> None:
        self._by_value: dict[str, JobKind] = {}
        self._by_name: dict[str, JobKind] = {}

    def register(self, kind: JobKind) -> str:
        """Add (or replace, on a second ``ready()``) a kind; returns its stored value."""
        known = self._by_name.get(kind.name)
        if known is not None and known.value != kind.value:
            raise ValueError(f"job kind name {kind.name} is already registered as {known.value!r}")
        self._by_value[kind.value] = kind
        self._by_name[kind.name] = kind
        return kind.value

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._by_name[name].value
        except KeyError:
            raise AttributeError(f"no job kind named {name} is registered (apps register theirs from "
                                 f"AppConfig.ready()); registered: {', '.join(self._by_name) or 'none'}") from None

    def __iter__(self) -> Iterator[JobKind]:
        return iter(list(self._by_value.values()))

    def __contains__(self, value: object) -> bool:
        return value in self._by_value

    def get(self, value: str) -> JobKind | None:
        return self._by_value.get(value)

    def __getitem__(self, value: str) -> JobKind:
        try:
            return self._by_value[value]
        except KeyError:
            raise KeyError(f"unknown job kind {value!r}; registered: {', '.join(self._by_value)}") from None

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(kind.value, kind.label) for kind in self]

    @property
    def startable(self) -> list[JobKind]:
        """Kinds with a task: what the job API, the dashboard and ``job_enqueue`` may start."""
        return [kind for kind in self if kind.task]

    @property
    def imports(self) -> list[str]:
        return [kind.value for kind in self if kind.is_import]


JOB_KINDS = JobKinds()


def register_job_kind(value: str, *, name: str, label: str, task: str = "", roles=(), noun: str = "",
                      params: type | None = None, is_import: bool = False) -> str:
    """Register a kind of job run (call from AppConfig.ready()); returns the stored value."""
    return JOB_KINDS.register(JobKind(value=value, name=name, label=label, task=task, roles=frozenset(roles),
                                      noun=noun or label.lower(), params=params, is_import=is_import))


def job_kind_choices() -> list[tuple[str, str]]:
    """``JobRun.kind``'s choices, read when used (the field's choices are this callable, not a fixed list)."""
    return JOB_KINDS.choices


class TasksByKind(Mapping):
    """Kind value -> Celery task name of every startable kind, read live from the registry."""

    def __getitem__(self, value: str) -> str:
        kind = JOB_KINDS.get(value)
        if kind is None or not kind.task:
            raise KeyError(value)
        return kind.task

    def __iter__(self) -> Iterator[str]:
        return iter([kind.value for kind in JOB_KINDS.startable])

    def __len__(self) -> int:
        return len(JOB_KINDS.startable)


# An app's check of one job parameter, run before the job is queued: it raises UserError (or ValueError) naming
# the problem, e.g. a campaign id no campaign has.
ParamCheck = Callable[[object], None]
PARAM_CHECKS: dict[str, dict[str, ParamCheck]] = {}


def register_param_check(kind: str, name: str, check: ParamCheck) -> None:
    """Check parameter ``name`` of jobs of ``kind`` (when it is given, not empty) with ``check``."""
    PARAM_CHECKS.setdefault(kind, {})[name] = check


def param_errors(kind: str, params: dict) -> dict[str, list[str]]:
    """The registered checks' refusals, by parameter."""
    errors = {}
    for name, check in PARAM_CHECKS.get(kind, {}).items():
        if params.get(name) is None:
            continue
        try:
            check(params[name])
        except (UserError, ValueError) as exc:
            errors[name] = [str(exc)]
    return errors


@dataclass(frozen=True)
class Schedule:
    """A periodic task created once in django-celery-beat (then edited in the admin). ``crontab``: minute, hour
    (None: the NIGHTLY_HOUR setting), day_of_week."""

    name: str
    task: str
    crontab: dict
    description: str
    kwargs: dict = field(default_factory=dict)


SCHEDULES: dict[str, Schedule] = {}


def register_schedule(schedule: Schedule) -> Schedule:
    """Register a beat schedule by its name (the name is the row's key: keep it stable)."""
    SCHEDULES[schedule.name] = schedule
    return schedule
