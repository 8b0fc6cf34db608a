"""Synthetic files in another company's layout, for "bring your own data": none of the sample names or values.

* Leads: an education company's lead-scoring CRM export (``Prospect ID``, ``Lead Origin``, ``Tags``,
  ``Converted``, ...), with empty cells, rare levels, two identifier columns and one leakage column.
  Conversion follows an invented logistic model: a lead that came through the lead form or a reference,
  a working professional, time spent on the website, an SMS as last activity raise it; "Do Not Email",
  a bounced email or a chat-only contact lower it. ``Tags`` is written by the sales team after the
  outcome, so it almost separates the outcome and must be flagged as leakage, never learned from.
* Customers: a shop's five-column customer file whose income × spending score shows five groups.
"""
import numpy as np
import pandas as pd

from ._draws import (
    FOREIGN_CUSTOMER_STREAM, FOREIGN_LEAD_STREAM, FOREIGN_OPEN_LEAD_STREAM, blanked, check_open_share, check_row_count,
    fixed_width_text, happens, hide_outcomes, labelled, logistic, pick, pick_within, stream_for, yes_no,
)

FOREIGN_LEAD_COLUMNS = (
    "Prospect ID", "Lead Number", "Lead Origin", "Lead Source", "Do Not Email", "Do Not Call", "Converted",
    "TotalVisits", "Total Time Spent on Website", "Page Views Per Visit", "Last Activity", "Country",
    "Specialization", "What is your current occupation", "Tags", "City", "Lead Created",
)
FOREIGN_CUSTOMER_COLUMNS = ("CustomerID", "Genre", "Age", "Annual Income (k$)", "Spending Score (1-100)")

# Lift arrays below have one entry per level plus a last one for an empty cell: an empty cell is code -1,
# and numpy's index -1 reads that last entry.
ORIGINS = ("Landing Page Submission", "API", "Lead Add Form", "Lead Import")
ORIGIN_SHARES = (0.53, 0.387, 0.077, 0.006)
ORIGIN_LIFT = np.array([0.0, -0.4, 3.1, -1.05])

SOURCES = ("Google", "Direct Traffic", "Olark Chat", "Organic Search", "Reference", "Welingak Website",
           "Referral Sites", "Facebook")
OLARK_CHAT = SOURCES.index("Olark Chat")
RARE_SOURCES = ("google", "bing", "Click2call", "Social Media", "Live Chat", "Press_Release", "Pay per Click Ads",
                "blog", "WeLearn", "youtubechannel", "NC_EDM", "testone")
RARE_SOURCE_SHARES = (10, 6, 4, 2, 2, 2, 1, 1, 1, 1, 1, 1)
# Rows: lead origin; columns: SOURCES then "a rare source". A form lead comes from a reference or the partner site,
# an imported one from Facebook, an API lead often from the chat widget.
SOURCE_BY_ORIGIN = np.array([
    [0.40, 0.38, 0.000, 0.165, 0.000, 0.000, 0.030, 0.001, 0.024],
    [0.25, 0.14, 0.470, 0.105, 0.000, 0.000, 0.015, 0.002, 0.018],
    [0.02, 0.01, 0.000, 0.000, 0.750, 0.190, 0.000, 0.000, 0.030],
    [0.03, 0.00, 0.000, 0.000, 0.000, 0.000, 0.000, 0.950, 0.020],
])
SOURCE_LIFT = np.array([0.0, -0.2, -0.45, 0.05, 0.6, 1.55, -0.25, -0.6] + [0.0] * len(RARE_SOURCES) + [0.0])
MISSING_SOURCE_SHARE = 0.004

DO_NOT_EMAIL_SHARE = 0.08
DO_NOT_EMAIL_LIFT = -1.7
DO_NOT_CALL_SHARE = 0.0003

LAST_ACTIVITIES = (
    "Email Opened", "SMS Sent", "Olark Chat Conversation", "Page Visited on Website", "Converted to Lead",
    "Email Bounced", "Email Link Clicked", "Form Submitted on Website", "Unreachable", "Unsubscribed",
    "Had a Phone Conversation", "Approached upfront", "View in browser link Clicked", "Email Received",
    "Email Marked Spam", "Visited Booth in Tradeshow", "Resubscribed to emails",
)
LAST_ACTIVITY_SHARES = np.array([
    0.372, 0.298, 0.06, 0.07, 0.046, 0.035, 0.029, 0.0126, 0.01, 0.0066, 0.003, 0.001, 0.0006, 0.0002, 0.0002,
    0.0001, 0.0001,
])
LAST_ACTIVITY_LIFT = np.array([
    0.4, 1.95, -1.45, -0.5, -1.3, -1.55, 0.0, -0.25, 0.25, -0.8, 2.85, 2.6, 0.0, 1.95, 1.95, 0.0, 0.0, 0.0,
])
MISSING_LAST_ACTIVITY_SHARE = 0.011

COUNTRIES = ("India", "United States", "United Arab Emirates", "Singapore", "Saudi Arabia", "United Kingdom",
             "Australia", "Qatar", "Bahrain", "Hong Kong", "Oman", "France", "Nigeria", "Germany", "Canada",
             "South Africa", "Kuwait", "Sweden")
COUNTRY_SHARES = (960, 10, 8, 4, 3, 2, 2, 1.5, 1, 1, 1, 1, 0.6, 0.6, 0.6, 0.6, 0.6, 0.4)
# Chat, API and form leads rarely give their country; the landing page asks for it.
MISSING_COUNTRY_BY_ORIGIN = np.array([0.12, 0.42, 0.45, 0.5])

SPECIALIZATIONS = (
    "Select", "Finance Management", "Human Resource Management", "Marketing Management", "Operations Management",
    "Business Administration", "IT Projects Management", "Supply Chain Management",
    "Banking, Investment And Insurance", "Travel and Tourism", "Media and Advertising", "International Business",
    "Healthcare Management", "Hospitality Management", "E-COMMERCE", "Retail Management", "Rural and Agribusiness",
    "E-Business", "Services Excellence",
)
SPECIALIZATION_SHARES = (210, 106, 92, 91, 54, 44, 40, 38, 37, 22, 22, 19, 17, 12, 12, 11, 8, 6, 4)
# "Select" is the form's placeholder: the lead did not choose, like an empty cell.
SPECIALIZATION_LIFT = np.array([-0.45] + [0.25] * (len(SPECIALIZATIONS) - 1) + [-0.6])
SPECIALIZATION_LIFT[SPECIALIZATIONS.index("Healthcare Management")] = 0.6
SPECIALIZATION_LIFT[SPECIALIZATIONS.index("Travel and Tourism")] = -0.15
MISSING_SPECIALIZATION_SHARE = 0.156

OCCUPATIONS = ("Unemployed", "Working Professional", "Student", "Other", "Housewife", "Businessman")
OCCUPATION_SHARES = (0.605, 0.076, 0.023, 0.0017, 0.001, 0.0009)
OCCUPATION_LIFT = np.array([0.0, 3.0, -0.4, 0.8, 3.25, 1.05, -1.15])
MISSING_OCCUPATION_SHARE = 0.29

CITIES = ("Mumbai", "Select", "Thane & Outskirts", "Other Cities", "Other Cities of Maharashtra",
          "Other Metro Cities", "Tier II Cities")
CITY_SHARES = (348, 243, 81, 74, 49, 41, 8)
MISSING_CITY_SHARE = 0.157

# Written by the sales team once the outcome is known: the leakage column.
WON_TAGS = ("Will revert after reading the email", "Closed by Horizzon", "Payment link sent")
WON_TAG_SHARES = (0.70, 0.22, 0.08)
LOST_TAGS = ("Ringing", "Interested in other courses", "Already a student", "switched off",
             "Not doing further education", "Busy", "invalid number", "Diploma holder (Not Eligible)",
             "wrong number given", "opp hangup", "number not provided")
LOST_TAG_SHARES = (0.33, 0.17, 0.14, 0.07, 0.05, 0.05, 0.03, 0.02, 0.02, 0.01, 0.01)
TAGS = WON_TAGS + LOST_TAGS
MISTAGGED_SHARE = 0.02
MISSING_TAG_SHARE = 0.15

FIRST_LEAD_NUMBER = 580_000
FIRST_CREATED = np.datetime64("2024-01-01")
LAST_CREATED = np.datetime64("2025-06-30")
TIME_ON_SITE_CAP = 2_272
MISSING_VISITS_SHARE = 0.015

# Intercept found once by simulation so that about 38 % of leads convert.
CONVERSION_BASELINE = -1.98

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_DASHES = (8, 13, 18, 23)
_UUID_DIGIT_POSITIONS = np.array([i for i in range(36) if i not in _UUID_DASHES])


def generate_foreign_leads(n: int, seed: int, open_share: float = 0.0) -> pd.DataFrame:
    """``n`` leads in the education company's layout; ``open_share`` of them get an empty ``Converted``."""
    n = check_row_count(n)
    check_open_share(open_share)
    rng = stream_for(seed, FOREIGN_LEAD_STREAM)
    origin = pick(rng, ORIGIN_SHARES, n)
    source = _lead_sources(rng, origin)
    do_not_email = happens(rng, DO_NOT_EMAIL_SHARE, n)
    last_activity = _last_activities(rng, source, do_not_email)
    occupation = blanked(rng, pick(rng, OCCUPATION_SHARES, n), MISSING_OCCUPATION_SHARE)
    specialization = blanked(rng, pick(rng, SPECIALIZATION_SHARES, n), MISSING_SPECIALIZATION_SHARE)
    visits, seconds, page_views = _website_activity(rng, origin, source)
    score = (
        CONVERSION_BASELINE + ORIGIN_LIFT[origin] + SOURCE_LIFT[source] + DO_NOT_EMAIL_LIFT * do_not_email
        + LAST_ACTIVITY_LIFT[last_activity] + OCCUPATION_LIFT[occupation] + SPECIALIZATION_LIFT[specialization]
        + 3.9 * logistic((seconds - 800.0) / 220.0)
    )
    converted = happens(rng, logistic(score), n)
    lead_numbers, created = _lead_numbers_and_dates(rng, n)
    columns = {
        "Prospect ID": _prospect_ids(rng, n),
        "Lead Number": lead_numbers,
        "Lead Origin": labelled(ORIGINS, origin),
        "Lead Source": labelled(SOURCES + RARE_SOURCES, source),
        "Do Not Email": yes_no(do_not_email),
        "Do Not Call": yes_no(happens(rng, DO_NOT_CALL_SHARE, n)),
        "Converted": hide_outcomes(converted, open_share, stream_for(seed, FOREIGN_OPEN_LEAD_STREAM)),
        "TotalVisits": visits,
        "Total Time Spent on Website": seconds,
        "Page Views Per Visit": page_views,
        "Last Activity": labelled(LAST_ACTIVITIES, last_activity),
        "Country": labelled(COUNTRIES, blanked(rng, pick(rng, COUNTRY_SHARES, n), MISSING_COUNTRY_BY_ORIGIN[origin])),
        "Specialization": labelled(SPECIALIZATIONS, specialization),
        "What is your current occupation": labelled(OCCUPATIONS, occupation),
        "Tags": labelled(TAGS, _tags(rng, converted)),
        "City": labelled(CITIES, blanked(rng, pick(rng, CITY_SHARES, n), MISSING_CITY_SHARE)),
        "Lead Created": created,
    }
    return pd.DataFrame({name: columns[name] for name in FOREIGN_LEAD_COLUMNS}, copy=False)


def _lead_sources(rng: np.random.Generator, origin: np.ndarray) -> np.ndarray:
    """Codes into SOURCES + RARE_SOURCES (-1 empty); the usual sources depend on the lead's origin."""
    main = pick_within(rng, SOURCE_BY_ORIGIN, origin)
    rare = len(SOURCES) + pick(rng, RARE_SOURCE_SHARES, len(origin))
    return blanked(rng, np.where(main == len(SOURCES), rare, main), MISSING_SOURCE_SHARE)


def _last_activities(rng: np.random.Generator, source: np.ndarray, do_not_email: np.ndarray) -> np.ndarray:
    """Chat leads' last activity is often the chat; leads who refuse email mostly bounce or unsubscribe."""
    chat_only = LAST_ACTIVITY_SHARES.copy()
    chat_only[LAST_ACTIVITIES.index("Olark Chat Conversation")] = 0.45
    no_email = LAST_ACTIVITY_SHARES.copy()
    no_email[LAST_ACTIVITIES.index("Email Opened")] = 0.08
    no_email[LAST_ACTIVITIES.index("Email Bounced")] = 0.2
    no_email[LAST_ACTIVITIES.index("Unsubscribed")] = 0.1
    shares_by_group = np.vstack([LAST_ACTIVITY_SHARES, chat_only, no_email, no_email])
    group = (source == OLARK_CHAT).astype(np.int64) + 2 * do_not_email
    return blanked(rng, pick_within(rng, shares_by_group, group), MISSING_LAST_ACTIVITY_SHARE)


def _website_activity(rng: np.random.Generator, origin: np.ndarray, source: np.ndarray) -> tuple:
    """Visits, seconds on the site and page views per visit; form, import and chat leads mostly never visit.

    Visits and page views are empty together for a few leads (the tracking lost them), seconds never are.
    """
    n = len(origin)
    off_site = (origin >= ORIGINS.index("Lead Add Form")) | (source == OLARK_CHAT)
    visited = rng.random(n) < np.where(off_site, 0.12, 0.97)
    regular = 1 + np.minimum(rng.negative_binomial(2, 0.4, n), 40)
    outlier = rng.integers(41, 252, n)
    visits = np.where(visited, np.where(rng.random(n) < 0.004, outlier, regular), 0)
    seconds = np.minimum(np.rint(rng.lognormal(np.log(380.0) + 0.12 * np.log1p(visits), 0.95)), TIME_ON_SITE_CAP)
    seconds = np.where(visited, np.maximum(seconds, 1), 0).astype(np.int64)
    pages = np.maximum(visits, np.rint(visits * rng.lognormal(np.log(2.3), 0.45, n)))
    per_visit = np.round(pages / np.maximum(visits, 1), 2)
    lost = rng.random(n) < MISSING_VISITS_SHARE
    shown_visits = pd.array(visits.astype(np.int64), dtype="Int64")
    shown_visits[lost] = pd.NA
    return shown_visits, seconds, np.where(lost, np.nan, per_visit)


def _lead_numbers_and_dates(rng: np.random.Generator, n: int) -> tuple[np.ndarray, pd.Series]:
    """Increasing unique lead numbers (with gaps) and ISO creation dates in the same order, like a CRM export."""
    numbers = FIRST_LEAD_NUMBER + np.cumsum(rng.integers(1, 12, n))
    days = int((LAST_CREATED - FIRST_CREATED).astype(int)) + 1
    labels = np.asarray(pd.date_range(str(FIRST_CREATED), periods=days, freq="D").strftime("%Y-%m-%d"), dtype=object)
    return numbers.astype(np.int64), pd.Series(labels[np.sort(rng.integers(0, days, n))], dtype="str")


def _prospect_ids(rng: np.random.Generator, n: int) -> pd.Series:
    """Random version-4 UUIDs as text, built as ASCII bytes (a Python uuid per row is too slow for millions)."""
    nibbles = rng.integers(0, 16, (n, 32), dtype=np.uint8)
    nibbles[:, 12] = 4
    nibbles[:, 16] = 8 + (nibbles[:, 16] & 3)
    text = np.full((n, 36), ord("-"), dtype=np.uint8)
    text[:, _UUID_DIGIT_POSITIONS] = _HEX_DIGITS[nibbles]
    return fixed_width_text(text)


def _tags(rng: np.random.Generator, converted: np.ndarray) -> np.ndarray:
    """The sales team's tag: a won tag for converted leads, a lost one otherwise, with a few mistakes."""
    n = len(converted)
    won = pick(rng, WON_TAG_SHARES, n)
    lost = len(WON_TAGS) + pick(rng, LOST_TAG_SHARES, n)
    tagged_won = (converted == 1) ^ (rng.random(n) < MISTAGGED_SHARE)
    return blanked(rng, np.where(tagged_won, won, lost), MISSING_TAG_SHARE)


# --- the shop's customers -----------------------------------------------------------------------------------

# Five groups in income × spending score: (income k$ mean, sd), (score mean, sd), (age mean, sd), share.
CUSTOMER_GROUPS = ("careful", "careless", "average", "frugal rich", "big spenders")
CUSTOMER_GROUP_SHARES = (0.115, 0.11, 0.405, 0.195, 0.175)
INCOME_BY_GROUP = np.array([[26.0, 7.0], [25.0, 7.0], [55.0, 8.0], [88.0, 14.0], [87.0, 14.0]])
SCORE_BY_GROUP = np.array([[20.0, 8.0], [79.0, 9.0], [50.0, 6.0], [17.0, 9.0], [82.0, 8.0]])
AGE_BY_GROUP = np.array([[45.0, 13.0], [25.0, 5.0], [43.0, 15.0], [41.0, 11.0], [33.0, 4.0]])
FEMALE_SHARE = 0.56


def generate_foreign_customers(n: int, seed: int) -> pd.DataFrame:
    """``n`` customers of the shop's five-column file."""
    customers, _ = generate_foreign_customers_with_groups(n, seed)
    return customers


def generate_foreign_customers_with_groups(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The shop's customers plus each row's hidden group name, for checking that clustering finds them."""
    n = check_row_count(n)
    rng = stream_for(seed, FOREIGN_CUSTOMER_STREAM)
    group = pick(rng, CUSTOMER_GROUP_SHARES, n)

    def drawn(table: np.ndarray, low: int, high: int) -> np.ndarray:
        return np.clip(np.rint(rng.normal(table[group, 0], table[group, 1])), low, high).astype(np.int64)

    columns = {
        "CustomerID": np.arange(1, n + 1, dtype=np.int64),
        "Genre": labelled(("Male", "Female"), happens(rng, FEMALE_SHARE, n)),
        "Age": drawn(AGE_BY_GROUP, 18, 70),
        "Annual Income (k$)": drawn(INCOME_BY_GROUP, 15, 137),
        "Spending Score (1-100)": drawn(SCORE_BY_GROUP, 1, 99),
    }
    frame = pd.DataFrame(columns, copy=False)
    return frame, np.asarray(CUSTOMER_GROUPS, dtype=object)[group]
