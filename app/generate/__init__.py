"""One data generator for the demo history, the tests' data sets and the scale benchmark.

Everything is drawn from seeded ``random.Random`` instances and counter-based ids, so a data set
is reproducible: the same seed, area and day give the same rows.

* :mod:`app.generate.area` — one municipality as the generator sees it (districts, teams,
  providers with their terms), and the demo's Amsterdam;
* :mod:`app.generate.cases` — families, members, plans with assessments, goals, signatures and
  their frozen snapshot, referrals, engagements in every state, treatment plans, handoffs,
  experience surveys;
* :mod:`app.generate.ledger` — the payment lines the ledger would have written, the monthly
  batches, lumpsum lines and budgets;
* :mod:`app.generate.writers` — rows into the database: multi-row INSERTs in a session (demo,
  tests) or ``COPY`` (asyncpg ``copy_records_to_table``) for large sets;
* :mod:`app.generate.national` — ``perspectief generate --families N``: a national data set
  (many municipalities, audit rows) streamed through ``COPY`` municipality by municipality.
"""
