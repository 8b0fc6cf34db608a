"""Simulated offer responses, for the demo only: a newcomer should see a lift report with numbers in it.

Every simulated answer is stored with the response source "simulation" (never taken for a customer's answer, and
left out of the acceptance rates that shape P(accept)). The draw, seeded so the demo is the same every time:

- each treated customer answers their first-ranked offer: accepted with probability P(accept), the probability
  the attach job gave that offer, else declined;
- each held-out (control) customer converts without an offer (accepted) with a third of that probability
  (``CONTROL_CONVERSION_FACTOR``), else is marked declined (did not convert), so a second run finds nothing left
  to draw and never adds conversions to the control arm.

So the offers "work" by construction: the report shows a lift of about two thirds of the mean P(accept).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CONTROL_CONVERSION_FACTOR = 1 / 3
ACCEPTED, DECLINED = "accepted", "declined"


def simulated_responses(rows: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``rows``: the campaign's unanswered rows (id, is_control, p_accept, rank). Returns (id, status) of the
    rows to answer, in id order; the same rows and seed give the same answers."""
    rows = rows.sort_values("id", kind="stable").reset_index(drop=True)
    draws = np.random.default_rng(seed).random(len(rows))
    p_accept = pd.to_numeric(rows["p_accept"]).fillna(0.0).to_numpy(dtype=float)
    control = rows["is_control"].astype(bool).to_numpy()
    first_offer = pd.to_numeric(rows["rank"]).fillna(0).to_numpy() == 1
    answered = control | first_offer
    accepted = draws < np.where(control, p_accept * CONTROL_CONVERSION_FACTOR, p_accept)
    status = np.where(accepted, ACCEPTED, DECLINED)
    return pd.DataFrame({"id": rows.loc[answered, "id"].astype("int64").to_numpy(), "status": status[answered]})
