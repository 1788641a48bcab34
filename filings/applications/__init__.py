"""The life cycle of a filing application (备案订单), from draft to the bureau's decision.

- ``actions``: every ``do_*`` action (create, save a step, submit, withdraw, return,
  resubmit, pass, MIIT codes, the bureau's decision, applying the approved payload,
  draft expiry).
- ``numbers``: filing numbers per province; ``sms_step``: the MIIT SMS step;
  ``timeline``: what happened and what comes next; ``queries``: read-only questions
  other parts ask (e.g. which change applications are under review).
"""
