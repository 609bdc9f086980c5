"""Wagtail pages of the portal; re-exported so that `cms.models.X` names every model."""

from .council import (
    CouncilIndexPage,
    CouncilMember,
    CouncilSessionPage,
    DecisionAttachment,
    DecisionPage,
    MemberVote,
    Topic,
)
from .documents import CouncilDocument
from .news import NewsArticlePage, NewsIndexPage, ProjectMapPage
from .pages import HomePage, PortalSettings, StandardPage

__all__ = [
    "CouncilDocument",
    "CouncilIndexPage",
    "CouncilMember",
    "CouncilSessionPage",
    "DecisionAttachment",
    "DecisionPage",
    "HomePage",
    "MemberVote",
    "NewsArticlePage",
    "NewsIndexPage",
    "PortalSettings",
    "ProjectMapPage",
    "StandardPage",
    "Topic",
]
