"""Root conftest of tokcheck's repository.

Kept free of hooks and plugins on purpose: in a development checkout the built-in suite
(tokcheck/suite) lives below this directory, so pytest loads this file whenever any project runs
the suite from this checkout. pytester is enabled with `-p pytester` in pyproject.toml instead.
"""

collect_ignore = ["benchmarks", "build", "dist"]
