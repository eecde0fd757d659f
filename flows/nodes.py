"""Flow building blocks shared by every flow of the chain."""

from viewflow.workflow import flow


class ChainView(flow.View):
    """A human step whose owner comes from the chain.

    The owner is resolved when the task is created and never changes by a
    click: viewflow's self-service assign/unassign would let a task fall out
    of the chain into a shared queue, so they are switched off.
    """

    assign_view_class = None
    unassign_view_class = None
