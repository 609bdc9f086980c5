"""Spending records made the way an import makes them: keys from the records' identity."""

from decimal import Decimal

from opendata.spending.models import BudgetLine, Payment, Supplier


def line(body, year, stage, function, amount, *, direction="expenditure", section="operating", currency="DZD",
         label="", decision=""):  # fmt: skip
    record = BudgetLine(
        body=body, fiscal_year=year, stage=stage, direction=direction, section=section, function_code=function,
        label=label, amount=Decimal(amount), currency=currency, decision_reference=decision,
    )  # fmt: skip
    record.key = record.identity()
    record.save()
    return record


def supplier(name, kind=Supplier.Kind.COMPANY):
    return Supplier.objects.create(name=name, kind=kind, key=Supplier.key_for(name))


def pay(body, recipient, amount, *, year=2024, kind="payment", currency="DZD", purpose="", decision="", reference=""):
    payment = Payment(
        body=body, supplier=recipient, fiscal_year=year, amount=Decimal(amount), currency=currency, kind=kind,
        purpose=purpose, decision_reference=decision, reference=reference,
    )  # fmt: skip
    payment.key = payment.identity()
    payment.save()
    return payment
