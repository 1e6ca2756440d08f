"""The clinic's numbers for the Reports screen and ``main.py report``: counts per period.

``periods`` cuts a date range into the clinic's days, weeks or months; ``charts`` holds the
frozen views the desk draws and exports; ``figures`` computes them with one grouped query
per chart.
"""
