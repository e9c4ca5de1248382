"""The figures of the dashboard and the regulator's overview, and the scan chart they draw."""
