"""Spending transparency: budgets voted, amended and executed, payments and subsidies, public contracts."""
