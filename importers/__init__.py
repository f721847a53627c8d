"""Files in (spreadsheets, open standards, exchange formats), validated records out; exports."""
