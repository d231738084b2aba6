"""Commands beyond ``outline``; registered on the shared Typer app when imported."""
