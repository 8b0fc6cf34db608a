"""Synthetic prospects shaped like the ExtraaLearn leads file (leads_train.csv).

Conversion follows a logistic model whose strongest drivers mirror the real file: first contact through
the website (about 45 % vs 10 % via the app), a fully completed profile (mostly when the lead came through
the website), time spent on the website, a referral, the last activity and the lead's occupation.
The overall conversion rate is close to the real 29.35 %.
"""
import numpy as np
import pandas as pd

from ._draws import (
    LEAD_STREAM, OPEN_LEAD_STREAM, check_open_share, check_row_count, fixed_width_text, happens, hide_outcomes,
    labelled, logistic, pick, stream_for, yes_no,
)

LEAD_COLUMNS = (
    "ID", "age", "current_occupation", "first_interaction", "profile_completed", "website_visits",
    "time_spent_on_website", "page_views_per_visit", "last_activity", "print_media_type1", "print_media_type2",
    "digital_media", "educational_channels", "referral", "status",
)
LEAD_ID_PREFIX = "SYN"
LEAD_ID_DIGITS = 7  # zero-padded width; grows only past 9,999,999 leads

OCCUPATIONS = ("Professional", "Unemployed", "Student")
OCCUPATION_SHARES = (0.568, 0.311, 0.121)
OCCUPATION_LIFT = np.array([0.4, 0.0, -1.2])

FIRST_INTERACTIONS = ("Website", "Mobile App")
WEBSITE_FIRST_SHARE = 0.553

PROFILE_LEVELS = ("High", "Medium", "Low")
PROFILE_SHARES = (0.484, 0.491, 0.025)

LAST_ACTIVITIES = ("Email Activity", "Phone Activity", "Website Activity")
LAST_ACTIVITY_SHARES = (0.496, 0.270, 0.234)
LAST_ACTIVITY_LIFT = np.array([0.0, -0.55, 0.4])

# Share of leads who saw the ad / came through each channel ("Yes"), and the lift it gives conversion.
CHANNEL_SHARES = {
    "print_media_type1": 0.107,
    "print_media_type2": 0.052,
    "digital_media": 0.111,
    "educational_channels": 0.154,
    "referral": 0.020,
}
CHANNEL_LIFT = {
    "print_media_type1": 0.25,
    "print_media_type2": 0.1,
    "digital_media": 0.15,
    "educational_channels": -0.1,
    "referral": 1.9,
}

# Intercept found once by simulation so that the overall conversion rate is about 29.4 %.
CONVERSION_BASELINE = -3.52
TIME_ON_SITE_CAP = 2_537


def generate_leads(n: int, seed: int, open_share: float = 0.0) -> pd.DataFrame:
    """``n`` synthetic leads with the real file's columns; ``open_share`` of them get an empty status.

    Open leads are chosen from a separate random stream, so every other value is the same whatever
    ``open_share`` is: the same seed describes the same leads, only some outcomes are hidden.
    """
    n = check_row_count(n)
    check_open_share(open_share)
    rng = stream_for(seed, LEAD_STREAM)
    occupation = pick(rng, OCCUPATION_SHARES, n)
    website_first = happens(rng, WEBSITE_FIRST_SHARE, n)
    profile = pick(rng, PROFILE_SHARES, n)
    last_activity = pick(rng, LAST_ACTIVITY_SHARES, n)
    time_on_site = _time_spent_on_website(rng, n)
    channels = {name: happens(rng, share, n) for name, share in CHANNEL_SHARES.items()}
    columns = {
        "ID": _lead_ids(n),
        "age": _ages(rng, occupation),
        "current_occupation": labelled(OCCUPATIONS, occupation),
        "first_interaction": labelled(FIRST_INTERACTIONS, 1 - website_first),
        "profile_completed": labelled(PROFILE_LEVELS, profile),
        "website_visits": _website_visits(rng, n),
        "time_spent_on_website": time_on_site,
        "page_views_per_visit": _page_views_per_visit(rng, n),
        "last_activity": labelled(LAST_ACTIVITIES, last_activity),
        **{name: yes_no(flags) for name, flags in channels.items()},
    }
    score = _conversion_score(occupation, website_first, profile, last_activity, time_on_site, channels)
    converted = happens(rng, logistic(score), n)
    columns["status"] = hide_outcomes(converted, open_share, stream_for(seed, OPEN_LEAD_STREAM))
    return pd.DataFrame({name: columns[name] for name in LEAD_COLUMNS}, copy=False)


def _lead_ids(n: int) -> pd.Series:
    """IDs like the real EXT001 but with their own prefix, so synthetic leads never pass for real ones.

    Built as fixed-width ASCII bytes (prefix + zero-padded digits) to stay fast for millions of rows.
    """
    numbers = np.arange(1, n + 1)
    digit_count = max(LEAD_ID_DIGITS, len(str(n)))
    digits = (numbers[:, None] // 10 ** np.arange(digit_count - 1, -1, -1)) % 10
    width = len(LEAD_ID_PREFIX) + digit_count
    text = np.empty((n, width), dtype=np.uint8)
    text[:, : len(LEAD_ID_PREFIX)] = np.frombuffer(LEAD_ID_PREFIX.encode("ascii"), dtype=np.uint8)
    text[:, len(LEAD_ID_PREFIX):] = digits + ord("0")
    return fixed_width_text(text)


def _ages(rng: np.random.Generator, occupation: np.ndarray) -> np.ndarray:
    """Students are 18-25; working-age leads cluster in their mid-fifties like the real file."""
    n = len(occupation)
    settled = rng.random(n) < 0.55
    older = rng.normal(np.where(occupation == 0, 56.0, 57.5), 2.6)
    spread = rng.uniform(np.where(occupation == 0, 25.0, 32.0), 53.0)
    working = np.where(settled, older, spread)
    student = rng.normal(21.0, 2.0, n)
    age = np.where(occupation == 2, np.clip(student, 18, 25), np.clip(working, 25, 63))
    return np.rint(age).astype(np.int64)


def _website_visits(rng: np.random.Generator, n: int) -> np.ndarray:
    """Over-dispersed visit counts (real mean 3.6, sd 2.8, max 25)."""
    return np.minimum(rng.negative_binomial(3.1, 0.465, n), 25).astype(np.int64)


def _time_spent_on_website(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds on site: a few zeros, quick bounces, ordinary visits and a long engaged group."""
    kind = pick(rng, (0.038, 0.19, 0.45, 0.322), n)
    bounce = 1.0 + rng.exponential(40.0, n)
    ordinary = np.clip(rng.normal(350.0, 130.0, n), 100.0, None)
    engaged = np.clip(rng.normal(1_750.0, 420.0, n), 600.0, TIME_ON_SITE_CAP)
    seconds = np.choose(kind, [np.zeros(n), bounce, ordinary, engaged])
    return np.rint(seconds).astype(np.int64)


def _page_views_per_visit(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mostly around 2-4 pages, with some zeros, near-zero averages and a long tail; 3 decimals."""
    kind = pick(rng, (0.039, 0.07, 0.871, 0.02), n)
    small = rng.uniform(0.01, 0.5, n)
    typical = rng.lognormal(np.log(2.85), 0.38, n)
    tail = np.minimum(5.5 + rng.exponential(2.0, n), 18.5)
    return np.round(np.choose(kind, [np.zeros(n), small, typical, tail]), 3)


def _conversion_score(occupation, website_first, profile, last_activity, time_on_site, channels) -> np.ndarray:
    """Log-odds of paying: a complete profile matters mostly for leads who came through the website."""
    high_profile = (profile == 0).astype(float)
    low_profile = (profile == 2).astype(float)
    engagement = logistic((time_on_site - 650.0) / 120.0)
    score = (
        CONVERSION_BASELINE
        + website_first * (1.55 + 1.3 * high_profile)
        + 0.3 * high_profile - 1.0 * low_profile
        + 2.1 * engagement
        + OCCUPATION_LIFT[occupation]
        + LAST_ACTIVITY_LIFT[last_activity]
    )
    return score + sum(CHANNEL_LIFT[name] * flags for name, flags in channels.items())
