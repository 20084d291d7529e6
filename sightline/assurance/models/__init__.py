"""System assurance: the risk register, inspections, subgroups and their assurance returns,
data scrutiny, multi-agency audits and the strategic plan. One module per area."""

from .audits import Audit, AuditReturn, AuditStatusChange
from .data import DataPoint, DataPointVersion, Measure
from .groups import (
    AssuranceReturn,
    AssuranceReturnVersion,
    Group,
    GroupMember,
    Meeting,
    MeetingDecision,
)
from .inspections import Inspection
from .papers import GroupPaper
from .plan import Priority, PriorityMeasure, PriorityUpdate, ScrutinyFinding
from .risks import (
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskControl,
    RiskSettings,
    RiskSettingsChange,
)

__all__ = [
    "AssuranceReturn",
    "AssuranceReturnVersion",
    "Audit",
    "AuditReturn",
    "AuditStatusChange",
    "DataPoint",
    "DataPointVersion",
    "Group",
    "GroupMember",
    "GroupPaper",
    "Inspection",
    "Measure",
    "Meeting",
    "MeetingDecision",
    "Priority",
    "PriorityMeasure",
    "PriorityUpdate",
    "Risk",
    "RiskAcceptance",
    "RiskAssessment",
    "RiskControl",
    "RiskSettings",
    "RiskSettingsChange",
    "ScrutinyFinding",
]
