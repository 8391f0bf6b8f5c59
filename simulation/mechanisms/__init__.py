"""The ten mechanisms of the model brief, one small named unit each.

Each class's docstring states its rule in plain words and cites the seed document or
paper it comes from. :class:`simulation.model.CollabModel` calls them in the order of
its schedule.
"""

from .communication import Communication
from .contribution import Contribution
from .formation import Formation
from .learning import Learning
from .myths import MythDynamics
from .review import ReviewAndExit
from .sharing import BenefitSharing
from .shocks import ShocksAndTurbulence
from .synergy import Synergy
from .trust import Reputation, TrustDynamics

__all__ = ["BenefitSharing", "Communication", "Contribution", "Formation", "Learning",
           "MythDynamics", "Reputation", "ReviewAndExit", "ShocksAndTurbulence", "Synergy",
           "TrustDynamics"]
