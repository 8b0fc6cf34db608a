"""Pure campaign analytics: no Django imports, DataFrames in, numpy arrays or frozen dataclasses out.

Modules, by responsibility:

- ``datasets``   read the public seed files into frames with the shared column names;
- ``features``   customer features (spend, channel mix, deal share, tenure, ...) for the propensity pipeline;
- ``propensity`` the two propensity models and how P(accept | customer, offer) is defined;
- ``smoothing``  Beta-smoothed acceptance rates per (persona or segment, offer type), Thompson draws;
- ``acceptance`` the combination of a customer propensity with the smoothed offer-type ratio;
- ``ranking``    eligibility rules and next-best-offer ranking by expected value;
- ``control``    deterministic control-group (holdout) assignment;
- ``lift``       treated vs control conversion, lift and its confidence interval;
- ``compare``    segment rules vs propensity ranking on held-out data.
"""
