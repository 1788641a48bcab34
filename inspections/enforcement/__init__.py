"""Enforcement: rectification cases, their deadlines, escalation and access decisions.

- ``periods``: deadlines and when each case's next step falls due.
- ``cases``: opening cases from a finished campaign, and re-inspection outcomes.
- ``actions``: what customers and staff do to a case (one transaction + audit each).
- ``escalation``: the minute-by-minute scan that moves due cases one step.
- ``safeguards``: the global pause, the hourly cap and the campaign threshold.
- ``decisions``: the access gate's decisions written for a website's hosts.
- ``notices``: the messages to the customer's owners and person in charge.
- ``queries``: the case lists of the customer and staff pages.
"""
