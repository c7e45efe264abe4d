"""`python -m chatarchief.cli ...` runs the `chatarchief` command."""

from chatarchief.cli import main

raise SystemExit(main())
