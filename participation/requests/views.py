"""Public pages of information requests and complaints."""

from django.shortcuts import render

from .calculator import DeadlineForm


def deadline_calculator(request):
    """The public deadline calculator: a law (or a body), a date of receipt, and the date the answer is due."""
    form = DeadlineForm(request.GET or None)
    deadline = form.cleaned_data["deadline"] if form.is_valid() else None
    return render(request, "information_requests/deadline.html", {"form": form, "deadline": deadline})
